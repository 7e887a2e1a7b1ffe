"""The address the demo serves on, and the address its links (e-mails, .ics files) point to.

No Django imports: the demo settings use it before Django is set up.
"""

DEFAULT_PORT = "8000"
WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 - names, not a bind


def site_url_for(addr: str) -> str:
    """The URL people open for a runserver address: "8001", "0.0.0.0:8001", "[::1]:8001" or
    "demo.local:8001". A wildcard host means this machine."""
    addr = addr.strip()
    host, _sep, port = addr.rpartition(":")
    if not port.isdigit():
        host, port = addr, DEFAULT_PORT  # a host without port
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    return f"http://{host}:{port}"
