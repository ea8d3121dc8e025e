// Some settings of the running DBMS, by name.
SHOW SETTINGS YIELD name, value
WHERE name IN $names
RETURN name, value
