#!/usr/bin/env python3
"""The demo world's web server: serves demo/www/<Host>/ on 127.0.0.1 (plain HTTP), so the imprint
check has websites to look at. Usage: web.py ROOT PORT_FILE. Unknown hosts get 404."""
import http.server, os, sys, threading

root, port_file = sys.argv[1], sys.argv[2]

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        if host.startswith("www."):
            host = host[4:]
        path = self.path.split("?")[0]
        if path.endswith("/"):
            path += "index.html"
        full = os.path.realpath(os.path.join(root, host, path.lstrip("/")))
        if not full.startswith(os.path.realpath(root) + os.sep) or not os.path.isfile(full):
            self.send_error(404)
            return
        with open(full, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]) + "\n")
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
