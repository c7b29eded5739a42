"""LocalStack runtime executor: each Lambda execution environment is a local aws-lambda-rie process.

LocalStack's own executor starts a Docker container holding its init (a fork of the Runtime
Interface Emulator) and the function's code; the init reports "ready" to LocalStack's executor
endpoints and serves invocations on port 9563. Without Docker this executor does the same work
in-process: it unzips the code (prepare_version), starts `aws-lambda-rie <code>/bootstrap` with the
function's environment on two free loopback ports (start), sends each invocation to the RIE's
invoke URL (invoke). It relays what LocalStack's init would report through LocalStack's own
executor endpoints (executor_endpoint.py): "ready" once the RIE listens, then per invocation the
logs and the response or error, which resolve the endpoint's futures as for a container.

Only `provided.*` runtimes (a `bootstrap` executable in the zip) are supported: that is what the
project's Go handlers are. The RIE and the handler run as LocalStack's children, inside its
loopback-only network namespace, so the function reaches LocalStack at 127.0.0.1.
"""

import json
import logging
import os
import platform
import socket
import subprocess
import threading
import time
from concurrent.futures import Future

import requests
from plux import Plugin

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import ExecutorEndpoint
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

LOG = logging.getLogger(__name__)

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
START_TIMEOUT_S = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LambdaRuntimeException(f"aws-lambda-rie exited with {proc.returncode} during start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise LambdaRuntimeException(f"aws-lambda-rie did not listen on 127.0.0.1:{port} in {timeout}s")


def _is_function_error(status: int, headers, body: bytes) -> bool:
    """The RIE answers a handler's error with the error document (errorType, errorMessage)."""
    if status != 200 or headers.get("X-Amz-Function-Error"):
        return True
    if body.startswith(b"Task timed out after"):
        return True
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    return isinstance(doc, dict) and "errorType" in doc and set(doc) <= {"errorType", "errorMessage", "stackTrace"}


# Lambda's architecture names by the host's platform.machine().
_HOST_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


def _check_architecture(fv: FunctionVersion) -> None:
    """The code runs natively here, with no emulation: say so instead of failing to exec it."""
    want = (fv.config.architectures or ["x86_64"])[0]
    host = _HOST_ARCH.get(platform.machine(), platform.machine())
    if want != host:
        raise LambdaRuntimeException(
            f"function {fv.id.function_name} is built for {want}; the rie executor runs code "
            f"natively on this {host} host (set the function's architecture to {host} here)"
        )


class _Output:
    """Collects a process's combined output; logs of one invocation are the part written during it."""

    def __init__(self, stream):
        self._lock = threading.Lock()
        self._buf = []
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream):
        for line in iter(stream.readline, b""):
            with self._lock:
                self._buf.append(line.decode("utf-8", "replace"))

    def mark(self) -> int:
        with self._lock:
            return len(self._buf)

    def since(self, mark: int) -> str:
        # The RIE prints the END/REPORT lines just before it answers; give the pump a moment.
        time.sleep(0.05)
        with self._lock:
            return "".join(self._buf[mark:])

    def all(self) -> str:
        with self._lock:
            return "".join(self._buf)


class RieRuntimeExecutor(RuntimeExecutor):
    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.proc = None
        self.output = None
        self.invoke_port = None
        self.endpoint = ExecutorEndpoint(self.id)

    def start(self, env_vars: dict[str, str]) -> None:
        _check_architecture(self.function_version)
        code = self.function_version.config.code
        if code is None:
            raise LambdaRuntimeException("container images are not supported by the rie executor")
        task_root = str(code.get_unzipped_code_location())
        bootstrap = os.path.join(task_root, "bootstrap")
        if not os.path.exists(bootstrap):
            raise LambdaRuntimeException(f"no bootstrap in the function's code ({task_root})")
        if not os.access(bootstrap, os.X_OK):  # an unzip may not keep the executable bit
            os.chmod(bootstrap, 0o755)
        self.invoke_port, api_port = _free_port(), _free_port()
        env = {k: str(v) for k, v in env_vars.items()}
        env.update(
            LAMBDA_TASK_ROOT=task_root,
            PATH=os.environ.get("PATH", "/usr/bin:/bin"),
            HOME=os.environ.get("TMPDIR", "/tmp"),
        )
        rie = os.environ.get("PROVISIONER_RIE", "aws-lambda-rie")
        cmd = [
            rie,
            "--runtime-interface-emulator-address", f"127.0.0.1:{self.invoke_port}",
            "--runtime-api-address", f"127.0.0.1:{api_port}",
            bootstrap,
        ]
        LOG.debug("starting %s for %s", cmd, self.function_version.qualified_arn)
        self.proc = subprocess.Popen(
            cmd, cwd=task_root, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        self.output = _Output(self.proc.stdout)
        self.endpoint.start()
        _wait_listening(self.invoke_port, self.proc, START_TIMEOUT_S)
        self._report(f"/status/{self.id}/ready", b"")
        self.endpoint.wait_for_startup()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        try:
            self.endpoint.shutdown()
        except Exception as e:  # never started, or already shut down
            LOG.debug("shutdown of executor endpoint %s: %s", self.id, e)

    def _report(self, path: str, body: bytes, json_body=None) -> None:
        """POSTs to this executor's endpoint on LocalStack's gateway, as LocalStack's init does."""
        resp = requests.post(
            self.get_runtime_endpoint() + path, data=None if json_body is not None else body,
            json=json_body, proxies={"http": "", "https": ""}, timeout=30,
        )
        if resp.status_code >= 300:
            raise LambdaRuntimeException(f"executor endpoint {path} answered {resp.status_code}")

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return "127.0.0.1"

    def get_runtime_endpoint(self) -> str:
        return f"http://127.0.0.1:{config.GATEWAY_LISTEN[0].port}{self.endpoint.get_endpoint_prefix()}"

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        headers = {"X-Amzn-RequestId": request_id, "Content-Type": "application/json"}
        if payload.get("trace-id"):
            headers["X-Amzn-Trace-Id"] = payload["trace-id"]
        mark = self.output.mark()
        resp = requests.post(
            f"http://127.0.0.1:{self.invoke_port}{INVOKE_PATH}",
            data=(payload.get("payload") or "").encode(),
            headers=headers,
            proxies={"http": "", "https": ""},
            timeout=int(self.function_version.config.timeout) + 30,
        )
        body = resp.content
        self.endpoint.invocation_future, self.endpoint.logs = Future(), None
        self._report(f"/invocations/{request_id}/logs", b"", json_body={"logs": self.output.since(mark)})
        outcome = "error" if _is_function_error(resp.status_code, resp.headers, body) else "response"
        self._report(f"/invocations/{request_id}/{outcome}", body)
        return self.endpoint.invocation_future.result(timeout=30)

    def get_logs(self) -> str:
        return self.output.all() if self.output else ""

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        if function_version.config.code:
            function_version.config.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        return True


class RiePlugin(Plugin):
    namespace = "localstack.lambda.runtime_executor"
    name = "rie"

    def load(self, *args, **kwargs):
        return RieRuntimeExecutor
