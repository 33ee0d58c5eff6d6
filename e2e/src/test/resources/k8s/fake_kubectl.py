"""A kubectl stand-in for K8sVerifyIT: answers the calls `./quetzal k8s verify` makes from a JSON
config (FAKE_KUBECTL_CONFIG) and turns each port-forward into a TCP relay to the local stack, so the
launcher's wiring runs for real against local ports. It mimics kubectl's output where the script
reads it ("Forwarding from 127.0.0.1:PORT -> REMOTE") and its refusals (a port the target lacks).

Config: {"log": FILE, "workloads": [...], "jobs": [...], "failRollout": [...], "kafkaReplicas": N,
"secrets": {NAME: {KEY: VALUE}}, "forwards": {"NS/TARGET": {"remote": PORT, "to": PORT}
or {"remote": PORT, "h2": PORT, "http1": PORT}}}. The second form is the Ingress controller: one
port that sends HTTP/2 (gRPC) to one backend and HTTP/1.1 to the other, as Traefik routes them.
"""
import asyncio
import base64
import json
import os
import sys

H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def main(argv):
    config = json.load(open(os.environ["FAKE_KUBECTL_CONFIG"], encoding="utf-8"))
    with open(config["log"], "a", encoding="utf-8") as log:
        log.write(json.dumps(argv) + "\n")
    args = list(argv)
    namespace = "default"
    if "-n" in args:
        at = args.index("-n")
        namespace = args[at + 1]
        del args[at:at + 2]
    verb = args[0]
    if verb == "get":
        return get(config, args[1:])
    if verb == "rollout":
        workload = args[2]
        if workload in config.get("failRollout", []):
            print(f'error: timed out waiting for the condition on {workload}', file=sys.stderr)
            return 1
        print(f'{workload} successfully rolled out')
        return 0
    if verb == "wait":
        job = next(a for a in args[1:] if a.startswith("job"))
        print(f'{job} condition met')
        return 0
    if verb == "port-forward":
        return port_forward(config, namespace, args[1:])
    print(f"fake kubectl: unexpected call {argv}", file=sys.stderr)
    return 2


def get(config, args):
    kind = args[0]
    output = args[args.index("-o") + 1] if "-o" in args else ""
    if kind == "deployments,statefulsets" and output == "name":
        print("\n".join(config["workloads"]))
    elif kind == "jobs" and output == "name":
        print("\n".join(config["jobs"]))
    elif kind == "secret":
        key = output[len("jsonpath={.data."):-1]
        value = config["secrets"].get(args[1], {}).get(key)
        if value is None:
            print(f'Error from server (NotFound): secrets "{args[1]}" not found', file=sys.stderr)
            return 1
        print(base64.b64encode(value.encode("utf-8")).decode("ascii"), end="")
    elif kind == "statefulset" and args[1] == "kafka" and output == "jsonpath={.spec.replicas}":
        print(config["kafkaReplicas"], end="")
    else:
        print(f"fake kubectl: unexpected get {args}", file=sys.stderr)
        return 2
    return 0


def port_forward(config, namespace, args):
    if args[:2] != ["--address", "127.0.0.1"]:
        print(f"fake kubectl: forwards must bind 127.0.0.1, got {args}", file=sys.stderr)
        return 2
    target, ports = args[2], args[3]
    local, remote = ports.split(":")
    route = config["forwards"].get(f"{namespace}/{target}")
    if route is None:
        print(f'Error from server (NotFound): "{target}" not found in namespace {namespace}', file=sys.stderr)
        return 1
    if int(remote) != route["remote"]:
        print(f"error: {target} does not have a port {remote}", file=sys.stderr)
        return 1
    asyncio.run(relay(int(local or 0), int(remote), route))
    return 0


async def relay(local, remote, route):
    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def serve(client_reader, client_writer):
        first = b""
        if "to" in route:
            backend = route["to"]
        else:
            # Enough bytes to tell an HTTP/2 preface from an HTTP/1.1 request line.
            while len(first) < len(H2_PREFACE) and H2_PREFACE.startswith(first):
                chunk = await client_reader.read(len(H2_PREFACE) - len(first))
                if not chunk:
                    break
                first += chunk
            backend = route["h2"] if first.startswith(H2_PREFACE) else route["http1"]
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", backend)
        except OSError:
            client_writer.close()
            return
        server_writer.write(first)
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = await asyncio.start_server(serve, "127.0.0.1", local)
    port = server.sockets[0].getsockname()[1]
    print(f"Forwarding from 127.0.0.1:{port} -> {remote}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
