"""Chart builders: pure functions that turn frames into ``plotly.graph_objects.Figure``.

A package, one module per page area (overview, matrix, concentration, types, risk, accounts) over a shared
``_style`` (palette, template, texts, number and text helpers); every builder is re-exported here, so
``from kamcore.presentation import charts; charts.x(...)`` is the way to call them.

Pages only render what these return (``st.plotly_chart``). Every builder

- copies nothing it does not need and never mutates its input;
- raises ``ValueError`` naming the missing columns when a required column is absent;
- returns a figure with a centred "No data" note when there is nothing to draw;
- takes ``labels`` (translated texts, merged over :data:`LABELS`) and, where money is
  shown, ``fmt_money`` (number -> text, default ``1,234``) for hover texts;
- writes its own numbers (counts, shares, Gini) with :mod:`kamcore.presentation.format` in the language of
  ``labels["lang"]``, and gives Plotly that language's separators for ticks and hovers.

Colours: one palette (:data:`PALETTE`, :data:`CLASS_COLOURS`, :data:`TYPE_COLOURS`,
:data:`ATTITUDE_COLOURS`) and one template (:data:`TEMPLATE`) for every chart.
"""
from __future__ import annotations

from kamcore.presentation.charts._style import (INK, PRIMARY, PALETTE, CLASS_COLOURS, TYPE_COLOURS, ATTITUDE_COLOURS,
                                                STAGE_COLOURS, SHARE_SCALE, TEMPLATE, LABELS, ROLE_ORDER, ABC_ROWS,
                                                XYZ_COLS, empty_figure, _count, _pct, _text)  # noqa: F401
from kamcore.presentation.charts.overview import (monthly_revenue, revenue_history)  # noqa: F401
from kamcore.presentation.charts.matrix import (abc_xyz_heatmap, migration_sankey, class_counts)  # noqa: F401
from kamcore.presentation.charts.concentration import (pareto_curve, lorenz_curve, key_band)  # noqa: F401
from kamcore.presentation.charts.types import (bubble_sizes, BUBBLE_MAX_POINTS, type_bubbles)  # noqa: F401
from kamcore.presentation.charts.risk import (RISK_TREND_HEIGHT, risk_trend, complaints_over_time, complaints_pareto,
                                              p_alive_histogram, late_deliveries)  # noqa: F401
from kamcore.presentation.charts.accounts import (buying_centre, manager_portfolio)  # noqa: F401
