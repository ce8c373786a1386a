"""A real OTLP/gRPC trace receiver for TraceExportIT, on the OpenTelemetry project's own protocol package.

Listens on a free loopback port (printed as the first line of stdout), answers every
``TraceService/Export`` as a collector does, and appends each span it was sent to the file named by its
argument as one JSON object: trace and span ids in hex, parent, name, status code, attributes, and the
resource's ``service.name``.
"""

from __future__ import annotations

import json
import sys
from concurrent import futures
from typing import Any, TextIO

import grpc
from opentelemetry.proto.collector.trace.v1 import (
    trace_service_pb2,
    trace_service_pb2_grpc,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    return (
        getattr(value, kind)
        if kind in ("string_value", "int_value", "bool_value", "double_value")
        else str(value)
    )


class Receiver(trace_service_pb2_grpc.TraceServiceServicer):  # type: ignore[misc]
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def Export(
        self,
        request: trace_service_pb2.ExportTraceServiceRequest,
        context: grpc.ServicerContext,
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        for resource_spans in request.resource_spans:
            resource = {
                a.key: _value(a.value) for a in resource_spans.resource.attributes
            }
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    line = {
                        "service": resource.get("service.name"),
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(),
                        "name": span.name,
                        "status": span.status.code,
                        "attributes": {a.key: _value(a.value) for a in span.attributes},
                    }
                    self.out.write(json.dumps(line) + "\n")
        self.out.flush()
        return trace_service_pb2.ExportTraceServiceResponse()


def main() -> None:
    with open(sys.argv[1], "a", encoding="utf-8") as out:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Receiver(out), server)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        print(port, flush=True)
        server.wait_for_termination()


if __name__ == "__main__":
    main()
