"""What can go wrong with a warehouse, each with a Chinese message fit for the person who caused it."""


class WarehouseError(Exception):
    """A warehouse problem with a Chinese message fit for the person who caused it."""


class WarehouseBusy(WarehouseError):
    pass


class WarehouseMissing(WarehouseError):
    pass


class WarehouseDamaged(WarehouseError):
    """The file is there but DuckDB cannot read it: it must be restored, never written over."""
