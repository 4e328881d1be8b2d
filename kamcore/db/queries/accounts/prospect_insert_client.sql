insert into clients (client_id, name, industry, region, manager, potential, description, key)
values ($client_id, $name, $industry, $region, $manager, $potential, $description, false)
