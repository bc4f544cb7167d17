"""Label inventories and pandera schemas: the single source of truth for every table."""
