"""Analytics: pure steps over the client inputs (ABC-XYZ, concentration, client types, risk, BG/NBD, the window)."""
