"""flatmachines-hub for Python.

- :class:`HubRegistrationBackend` and :class:`HubWorkBackend`: flatmachines' distributed
  backends (``RegistrationBackend``, ``WorkBackend``) over the hub, same async methods and shapes.
- :class:`HubClient`: a blocking client of every route of the HTTP API.
- :func:`run_worker`: a worker loop with graceful drain on SIGTERM.

Standard library only.
"""

from .backends import (
    WORKER_STATUSES,
    HubRegistrationBackend,
    HubWorkBackend,
    HubWorkPool,
    WorkerFilter,
    WorkerRecord,
    WorkerRegistration,
    WorkItem,
    create_registration_backend,
    create_work_backend,
)
from .client import HubClient
from .errors import (
    BadRequest,
    Conflict,
    Forbidden,
    HubError,
    HubUnreachable,
    MethodNotAllowed,
    MisdirectedRequest,
    NotFound,
    PayloadTooLarge,
    ServerError,
    TooManyRequests,
    Unauthorized,
    UnexpectedResponse,
    UnsupportedMediaType,
)
from .transport import RetryPolicy
from .worker import WorkerContext, WorkerSummary, run_worker, run_worker_async

__version__ = "0.1.0"

__all__ = [
    "HubClient",
    "RetryPolicy",
    "HubRegistrationBackend",
    "HubWorkBackend",
    "HubWorkPool",
    "WorkerRegistration",
    "WorkerRecord",
    "WorkerFilter",
    "WorkItem",
    "WORKER_STATUSES",
    "create_registration_backend",
    "create_work_backend",
    "run_worker",
    "run_worker_async",
    "WorkerContext",
    "WorkerSummary",
    "HubError",
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "MethodNotAllowed",
    "Conflict",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "MisdirectedRequest",
    "TooManyRequests",
    "ServerError",
    "HubUnreachable",
    "UnexpectedResponse",
]
