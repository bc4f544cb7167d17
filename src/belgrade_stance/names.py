"""Label names without `datasets` (load's labels="names", `label_names(config)`): every ClassLabel column,
nested ones included, from its index to its name, as the manifest's features (the Hub folder's) list them.
A top-level label column becomes an Arrow dictionary column (a pandas Categorical in the inventory's
order); a label inside a list or a struct becomes its name (a string)."""

from __future__ import annotations


def class_labels(features: dict, prefix: str = "") -> dict[str, list[str]]:
    """Path (`label`, `holders.label`, `ner_tags`) → names, for every ClassLabel of a features dict."""
    return {
        path: names for name, f in features.items() for path, names in _labels_of(f, prefix + name).items()
    }


def _labels_of(f, path: str) -> dict[str, list[str]]:
    if isinstance(f, dict) and f.get("_type") == "ClassLabel":
        return {path: list(f["names"])}
    if isinstance(f, dict) and f.get("_type") in ("List", "Sequence"):
        return _labels_of(f["feature"], path)
    if isinstance(f, dict) and "_type" not in f:  # a struct
        return class_labels(f, path + ".")
    return {}


def _named(array, f, top: bool):
    """The array with its ClassLabel indices replaced by names (a dictionary array at the top)."""
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        chunks = [_named(c, f, top) for c in array.chunks]
        return pa.chunked_array(chunks, type=chunks[0].type if chunks else None) if chunks else array
    if isinstance(f, dict) and f.get("_type") == "ClassLabel":
        names = pa.array(f["names"], type=pa.string())
        indices = array.cast(pa.int32())
        if top:
            return pa.DictionaryArray.from_arrays(indices, names)
        return names.take(indices)
    if array.offset:  # a slice: rebuild from offset 0, so offsets and children line up
        array = pa.concat_arrays([array])
    mask = array.is_null() if array.null_count else None
    if isinstance(f, dict) and f.get("_type") in ("List", "Sequence"):
        values = _named(array.values, f["feature"], False)
        return pa.ListArray.from_arrays(array.offsets, values, mask=mask)
    if isinstance(f, dict) and "_type" not in f and pa.types.is_struct(array.type):
        fields = [array.type.field(i).name for i in range(array.type.num_fields)]
        children = [_named(array.field(n), f[n], False) if n in f else array.field(n) for n in fields]
        return pa.StructArray.from_arrays(children, names=fields, mask=mask)
    return array


def with_names(table, features: dict):
    """A pyarrow Table whose ClassLabel columns hold names (see the module docstring)."""
    for i, name in enumerate(table.column_names):
        f = features.get(name)
        if class_labels({name: f}):
            table = table.set_column(i, name, _named(table.column(name), f, True))
    return table
