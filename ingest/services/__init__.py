"""Media intake as the rest of the site uses it: receive a file, keep it, process it, check it.

Views, management commands and tasks only parse their input and call these functions. One module per
concern; this package re-exports their public names, so ``from ingest.services import ingest_file`` and
``services.run_job`` keep working:

``paths``     storage names of originals and derivatives, public URLs, a job's scratch folder
``intake``    receiving a file, keeping it as an original, attaching it to a record
``jobs``      queueing a job in its lane, a run's claim on it, progress and heartbeat
``runs``      running a job: the access copies as one set, retries after a failure
``disk``      recognising a full disk
``watchdog``  jobs whose worker died: the watchdog task, ``recover_ingest_jobs``
``curation``  curators' actions: detach, reprocess, delete
``orphans``   files in storage that no row points to (``sweep_media``)
``fixity``    re-hashing the stored originals (``fixity_check``)
"""

from ingest.services.curation import Deleted, Refused, delete_original, detach, ensure_deletable, reprocess
from ingest.services.disk import DISK_FULL, DISK_FULL_MESSAGE, FULL_DISK_MARGIN, disk_full
from ingest.services.fixity import FixityReport, check_fixity
from ingest.services.intake import Received, attach, ingest_file, receive, record_page_ids
from ingest.services.jobs import JobTakenOver, enqueue, is_stalled, retry
from ingest.services.orphans import Orphan, find_orphans, remove_orphan
from ingest.services.paths import (
    DERIVATIVES_PREFIX,
    ORIGINALS_PREFIX,
    derivatives_root,
    original_path,
    public_url,
    safe_filename,
)
from ingest.services.runs import BUNDLES, ROLES, remove_other_runs, run_job
from ingest.services.watchdog import recover_jobs, requeue_stalled, watch

__all__ = [
    "ORIGINALS_PREFIX",
    "DERIVATIVES_PREFIX",
    "safe_filename",
    "original_path",
    "derivatives_root",
    "public_url",
    "Received",
    "receive",
    "ingest_file",
    "attach",
    "record_page_ids",
    "enqueue",
    "retry",
    "JobTakenOver",
    "is_stalled",
    "run_job",
    "BUNDLES",
    "ROLES",
    "remove_other_runs",
    "FULL_DISK_MARGIN",
    "DISK_FULL",
    "DISK_FULL_MESSAGE",
    "disk_full",
    "requeue_stalled",
    "recover_jobs",
    "watch",
    "Refused",
    "detach",
    "reprocess",
    "Deleted",
    "delete_original",
    "ensure_deletable",
    "Orphan",
    "find_orphans",
    "remove_orphan",
    "FixityReport",
    "check_fixity",
]
