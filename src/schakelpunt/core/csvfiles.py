"""Reading CSV exports as schools make them."""


def decode_export(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which Excel on Windows writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")
