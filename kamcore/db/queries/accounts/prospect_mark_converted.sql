update prospects
set converted_client_id = $client_id,
    updated_by = $user,
    updated_at = $now
where prospect_id = $prospect_id
