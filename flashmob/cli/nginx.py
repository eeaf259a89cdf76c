"""``flashmob nginx BUNDLE --upstream HOST:PORT ...``: the nginx configuration in front of conductor nodes.

Prints the configuration of ``conductor/nginx.py`` (explained in docs/deploy.md):
websocket upgrade and long timeouts for the conductor's sockets, every node
without sticky sessions, the bundle's files, the page and the console served
by nginx with the conductor's cache and security headers, ``X-Forwarded-For``
set to the client's address.  By default the ``http``-level part (Debian: a
file in /etc/nginx/conf.d/); with ``--standalone DIR`` a complete nginx.conf
whose pid file, logs and temp folders are under DIR.  Generate it again when
the bundle changes (its revision is in the file's paths).
"""

from __future__ import annotations

import sys

NAME = "nginx"
HELP = "print the nginx configuration that puts nginx in front of one or more conductor processes"


def configure(p) -> None:
    p.add_argument("bundle", help="show bundle folder (with manifest.json), the one the nodes serve")
    p.add_argument("--upstream", action="append", required=True, metavar="HOST:PORT",
                   help="a conductor node (repeatable, or comma-separated), e.g. 127.0.0.1:8001")
    p.add_argument("--listen", default="80", metavar="[HOST:]PORT", help="where nginx listens (default 80)")
    p.add_argument("--client-dir", metavar="DIR",
                   help="the web client folder (default: the one installed with flashmob, as flashmob serve)")
    p.add_argument("--tls-cert", metavar="PEM", help="TLS certificate: listen with HTTPS (and HTTP/2)")
    p.add_argument("--tls-key", metavar="PEM", help="TLS private key")
    p.add_argument("--standalone", metavar="DIR",
                   help="print a complete nginx.conf, pid file, logs and temp folders under DIR "
                        "(run: nginx -p DIR -c FILE)")
    p.add_argument("--user", help="with --standalone: the user nginx's workers run as (when started as root)")
    p.add_argument("--worker-connections", type=int, default=16384, metavar="N",
                   help="with --standalone: connections per nginx worker; each phone holds two (default 16384)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")


def run(args) -> int:
    from pathlib import Path

    from flashmob.conductor.nginx import Front, site_config, standalone_config, upstream_list
    from flashmob.conductor.webclient import client_dir
    from flashmob.contract.bundle import BundleError, load_bundle

    try:
        bundle = load_bundle(args.bundle, verify=False)
    except (BundleError, OSError) as exc:
        print(f"flashmob nginx: {exc}", file=sys.stderr)
        return 1
    client = Path(args.client_dir) if args.client_dir else client_dir()
    front = Front(bundle=bundle, upstreams=upstream_list(args.upstream), listen=args.listen,
                  bundle_root=str(Path(args.bundle).resolve()), client_root=str(client.resolve()),
                  tls_cert=str(Path(args.tls_cert).resolve()) if args.tls_cert else None,
                  tls_key=str(Path(args.tls_key).resolve()) if args.tls_key else None)
    try:
        if args.standalone:
            text = standalone_config(front, str(Path(args.standalone).resolve()), user=args.user,
                                     worker_connections=args.worker_connections)
        else:
            text = site_config(front)
    except ValueError as exc:
        print(f"flashmob nginx: {exc}", file=sys.stderr)
        return 2
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0
