"""Version-neutral domain logic: the OCPP adapters of every version call these."""
