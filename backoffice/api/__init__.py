"""The DRF pieces both REST APIs share: the operators' (`stations.api`) and the drivers'
(`backoffice.portal.api`). Neither API imports the other; both import these."""
