"""Timing and communication-profile shims linked into timing builds.

``PMPI_SHIM`` wraps MPI through the standard PMPI profiling interface: it starts the clock after
``MPI_Init`` (and a barrier, so launcher start-up is excluded), stops it on entry to
``MPI_Finalize`` and writes the maximum over ranks, plus per rank the point-to-point messages and
bytes sent and the collective calls and bytes contributed, to the file named by
``CHATHPC_PROFILE_OUT``. ``SEQUENTIAL_TIMER`` times a sequential program from just before
``main`` to its exit the same way.

Both are C that also compiles as C++ (``mpicxx`` builds them with a C++ program). Open MPI's Fortran
bindings call ``PMPI_*`` directly, so a Fortran program's MPI calls pass the C wrappers by:
``FORTRAN_PMPI_SHIM`` wraps the Fortran ``MPI_Init``/``MPI_Init_thread``/``MPI_Finalize`` of ``mpif.h``,
``use mpi`` and ``use mpi_f08`` (Open MPI's symbol names) for the same time window, and a Fortran
program's profile holds the time only, no message or byte counts.

``MEMORY_RECORDER`` is linked into every build the harness runs (sequential and candidate,
correctness and timing): at normal process exit it writes ``getrusage(RUSAGE_SELF).ru_maxrss``
(the process's peak resident set) into ``$CHATHPC_MEMORY_DIR/memory.<rank>`` (the rank from the
launcher's environment: Open MPI, Slurm, MPICH/Hydra; the pid when none). It is measured per process,
inside each rank, because ``RUSAGE_CHILDREN`` of the launcher does not see ranks started by
mpirun's daemons or srun. A rank that crashes or aborts writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from chathpc.harness.results import CommProfile

PROFILE_VARIABLE = "CHATHPC_PROFILE_OUT"
MEMORY_VARIABLE = "CHATHPC_MEMORY_DIR"
MEMORY_SOURCE = "chathpc_memory.c"

MEMORY_RECORDER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
__attribute__((destructor)) static void chathpc_memory_record(void) {
    const char *dir = getenv("CHATHPC_MEMORY_DIR");
    if (!dir) return;
    const char *names[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID", "PMI_RANK"};
    const char *rank = NULL;
    for (int i = 0; i < 4 && !rank; i++) rank = getenv(names[i]);
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0) return;
    char path[4096];
    if (rank) snprintf(path, sizeof path, "%s/memory.%s", dir, rank);
    else snprintf(path, sizeof path, "%s/memory.pid%ld", dir, (long)getpid());
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "%ld\n", (long)usage.ru_maxrss);
    fclose(f);
}
"""

SEQUENTIAL_TIMER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static struct timespec chathpc_t0;
__attribute__((constructor)) static void chathpc_timer_start(void) { clock_gettime(CLOCK_MONOTONIC, &chathpc_t0); }
__attribute__((destructor)) static void chathpc_timer_stop(void) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const char *path = getenv("CHATHPC_PROFILE_OUT");
    if (!path) return;
    FILE *f = fopen(path, "w");
    if (!f) return;
    fprintf(f, "elapsed %.9f\n", (double)(t1.tv_sec - chathpc_t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - chathpc_t0.tv_nsec));
    fclose(f);
}
"""

PMPI_SHIM = r"""
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __cplusplus
extern "C" {
#endif
static double chathpc_t0;
static long long chathpc_p2p_msgs, chathpc_p2p_bytes, chathpc_coll_calls, chathpc_coll_bytes;

static long long chathpc_bytes(int count, MPI_Datatype type) {
    int size = 0;
    if (type == MPI_DATATYPE_NULL || count <= 0) return 0;
    PMPI_Type_size(type, &size);
    return (long long)count * size;
}
static int chathpc_size(MPI_Comm comm) { int n = 1; PMPI_Comm_size(comm, &n); return n; }
static int chathpc_rank(MPI_Comm comm) { int r = 0; PMPI_Comm_rank(comm, &r); return r; }
static void chathpc_p2p(int count, MPI_Datatype type, int dest) {
    if (dest == MPI_PROC_NULL) return;
    chathpc_p2p_msgs++; chathpc_p2p_bytes += chathpc_bytes(count, type);
}
/* With MPI_IN_PLACE a rank contributes its block of the receive buffer instead of the send buffer. */
static long long chathpc_gathered(const void *sbuf, int scount, MPI_Datatype stype, int rcount, MPI_Datatype rtype) {
    return sbuf == MPI_IN_PLACE ? chathpc_bytes(rcount, rtype) : chathpc_bytes(scount, stype);
}
static void chathpc_coll(long long bytes) { chathpc_coll_calls++; chathpc_coll_bytes += bytes; }
void chathpc_pmpi_start(void) { PMPI_Barrier(MPI_COMM_WORLD); chathpc_t0 = PMPI_Wtime(); }

int MPI_Init(int *argc, char ***argv) { int rc = PMPI_Init(argc, argv); chathpc_pmpi_start(); return rc; }
int MPI_Init_thread(int *argc, char ***argv, int required, int *provided) {
    int rc = PMPI_Init_thread(argc, argv, required, provided); chathpc_pmpi_start(); return rc;
}
/* Writes the profile (rank 0); with_counts 0 leaves the message counts out (calls that were not seen). */
void chathpc_pmpi_report(int with_counts) {
    double elapsed = PMPI_Wtime() - chathpc_t0, longest = 0.0;
    int rank = 0, size = 1;
    PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
    PMPI_Comm_size(MPI_COMM_WORLD, &size);
    long long mine[4] = {chathpc_p2p_msgs, chathpc_p2p_bytes, chathpc_coll_calls, chathpc_coll_bytes};
    long long *all = rank == 0 ? (long long *)malloc(sizeof(long long) * 4 * (size_t)size) : NULL;
    PMPI_Reduce(&elapsed, &longest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    PMPI_Gather(mine, 4, MPI_LONG_LONG, all, 4, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    const char *path = getenv("CHATHPC_PROFILE_OUT");
    if (rank == 0 && path && all) {
        FILE *f = fopen(path, "w");
        if (f) {
            fprintf(f, "elapsed %.9f\n", longest);
            for (int r = 0; with_counts && r < size; r++)
                fprintf(f, "rank %d %lld %lld %lld %lld\n", r, all[4 * r], all[4 * r + 1], all[4 * r + 2], all[4 * r + 3]);
            fclose(f);
        }
    }
    free(all);
}
int MPI_Finalize(void) { chathpc_pmpi_report(1); return PMPI_Finalize(); }

#define CHATHPC_SEND(NAME) \
int NAME(const void *buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) { \
    chathpc_p2p(count, type, dest); return P##NAME(buf, count, type, dest, tag, comm); }
CHATHPC_SEND(MPI_Send)
CHATHPC_SEND(MPI_Ssend)
CHATHPC_SEND(MPI_Bsend)
CHATHPC_SEND(MPI_Rsend)
#define CHATHPC_ISEND(NAME) \
int NAME(const void *buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm, MPI_Request *req) { \
    chathpc_p2p(count, type, dest); return P##NAME(buf, count, type, dest, tag, comm, req); }
CHATHPC_ISEND(MPI_Isend)
CHATHPC_ISEND(MPI_Issend)
CHATHPC_ISEND(MPI_Ibsend)
CHATHPC_ISEND(MPI_Irsend)

int MPI_Sendrecv(const void *sbuf, int scount, MPI_Datatype stype, int dest, int stag, void *rbuf, int rcount,
                 MPI_Datatype rtype, int source, int rtag, MPI_Comm comm, MPI_Status *status) {
    chathpc_p2p(scount, stype, dest);
    return PMPI_Sendrecv(sbuf, scount, stype, dest, stag, rbuf, rcount, rtype, source, rtag, comm, status);
}
int MPI_Sendrecv_replace(void *buf, int count, MPI_Datatype type, int dest, int stag, int source, int rtag,
                         MPI_Comm comm, MPI_Status *status) {
    chathpc_p2p(count, type, dest);
    return PMPI_Sendrecv_replace(buf, count, type, dest, stag, source, rtag, comm, status);
}

int MPI_Barrier(MPI_Comm comm) { chathpc_coll(0); return PMPI_Barrier(comm); }
int MPI_Bcast(void *buf, int count, MPI_Datatype type, int root, MPI_Comm comm) {
    chathpc_coll(chathpc_rank(comm) == root ? chathpc_bytes(count, type) : 0);
    return PMPI_Bcast(buf, count, type, root, comm);
}
int MPI_Reduce(const void *sbuf, void *rbuf, int count, MPI_Datatype type, MPI_Op op, int root, MPI_Comm comm) {
    chathpc_coll(chathpc_bytes(count, type)); return PMPI_Reduce(sbuf, rbuf, count, type, op, root, comm);
}
int MPI_Allreduce(const void *sbuf, void *rbuf, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
    chathpc_coll(chathpc_bytes(count, type)); return PMPI_Allreduce(sbuf, rbuf, count, type, op, comm);
}
int MPI_Scan(const void *sbuf, void *rbuf, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
    chathpc_coll(chathpc_bytes(count, type)); return PMPI_Scan(sbuf, rbuf, count, type, op, comm);
}
int MPI_Exscan(const void *sbuf, void *rbuf, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
    chathpc_coll(chathpc_bytes(count, type)); return PMPI_Exscan(sbuf, rbuf, count, type, op, comm);
}
int MPI_Gather(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount, MPI_Datatype rtype,
               int root, MPI_Comm comm) {
    chathpc_coll(sbuf == MPI_IN_PLACE ? 0 : chathpc_bytes(scount, stype));
    return PMPI_Gather(sbuf, scount, stype, rbuf, rcount, rtype, root, comm);
}
int MPI_Gatherv(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, const int rcounts[], const int displs[],
                MPI_Datatype rtype, int root, MPI_Comm comm) {
    chathpc_coll(sbuf == MPI_IN_PLACE ? 0 : chathpc_bytes(scount, stype));
    return PMPI_Gatherv(sbuf, scount, stype, rbuf, rcounts, displs, rtype, root, comm);
}
int MPI_Allgather(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount, MPI_Datatype rtype,
                  MPI_Comm comm) {
    chathpc_coll(chathpc_gathered(sbuf, scount, stype, rcount, rtype));
    return PMPI_Allgather(sbuf, scount, stype, rbuf, rcount, rtype, comm);
}
int MPI_Allgatherv(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, const int rcounts[],
                   const int displs[], MPI_Datatype rtype, MPI_Comm comm) {
    chathpc_coll(chathpc_gathered(sbuf, scount, stype, rcounts[chathpc_rank(comm)], rtype));
    return PMPI_Allgatherv(sbuf, scount, stype, rbuf, rcounts, displs, rtype, comm);
}
int MPI_Scatter(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount, MPI_Datatype rtype,
                int root, MPI_Comm comm) {
    chathpc_coll(chathpc_rank(comm) == root ? chathpc_bytes(scount, stype) * chathpc_size(comm) : 0);
    return PMPI_Scatter(sbuf, scount, stype, rbuf, rcount, rtype, root, comm);
}
int MPI_Scatterv(const void *sbuf, const int scounts[], const int displs[], MPI_Datatype stype, void *rbuf,
                 int rcount, MPI_Datatype rtype, int root, MPI_Comm comm) {
    long long bytes = 0;
    if (chathpc_rank(comm) == root)
        for (int r = 0, n = chathpc_size(comm); r < n; r++) bytes += chathpc_bytes(scounts[r], stype);
    chathpc_coll(bytes);
    return PMPI_Scatterv(sbuf, scounts, displs, stype, rbuf, rcount, rtype, root, comm);
}
int MPI_Alltoall(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount, MPI_Datatype rtype,
                 MPI_Comm comm) {
    chathpc_coll(chathpc_bytes(scount, stype) * chathpc_size(comm));
    return PMPI_Alltoall(sbuf, scount, stype, rbuf, rcount, rtype, comm);
}
int MPI_Alltoallv(const void *sbuf, const int scounts[], const int sdispls[], MPI_Datatype stype, void *rbuf,
                  const int rcounts[], const int rdispls[], MPI_Datatype rtype, MPI_Comm comm) {
    long long bytes = 0;
    for (int r = 0, n = chathpc_size(comm); r < n; r++) bytes += chathpc_bytes(scounts[r], stype);
    chathpc_coll(bytes);
    return PMPI_Alltoallv(sbuf, scounts, sdispls, stype, rbuf, rcounts, rdispls, rtype, comm);
}
int MPI_Reduce_scatter(const void *sbuf, void *rbuf, const int rcounts[], MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
    long long bytes = 0;
    for (int r = 0, n = chathpc_size(comm); r < n; r++) bytes += chathpc_bytes(rcounts[r], type);
    chathpc_coll(bytes);
    return PMPI_Reduce_scatter(sbuf, rbuf, rcounts, type, op, comm);
}
int MPI_Reduce_scatter_block(const void *sbuf, void *rbuf, int rcount, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
    chathpc_coll(chathpc_bytes(rcount, type) * chathpc_size(comm));
    return PMPI_Reduce_scatter_block(sbuf, rbuf, rcount, type, op, comm);
}
#ifdef __cplusplus
}
#endif
"""

FORTRAN_PMPI_SHIM = r"""
#include <mpi.h>
void chathpc_pmpi_start(void);
void chathpc_pmpi_report(int with_counts);
void pmpi_init_(MPI_Fint *ierr);
void pmpi_init_thread_(MPI_Fint *required, MPI_Fint *provided, MPI_Fint *ierr);
void pmpi_finalize_(MPI_Fint *ierr);
void pmpi_init_f08_(MPI_Fint *ierr);
void pmpi_init_thread_f08_(MPI_Fint *required, MPI_Fint *provided, MPI_Fint *ierr);
void pmpi_finalize_f08_(MPI_Fint *ierr);
void mpi_init_(MPI_Fint *ierr) { pmpi_init_(ierr); chathpc_pmpi_start(); }
void mpi_init_thread_(MPI_Fint *required, MPI_Fint *provided, MPI_Fint *ierr) {
    pmpi_init_thread_(required, provided, ierr); chathpc_pmpi_start();
}
void mpi_finalize_(MPI_Fint *ierr) { chathpc_pmpi_report(0); pmpi_finalize_(ierr); }
void mpi_init_f08_(MPI_Fint *ierr) { pmpi_init_f08_(ierr); chathpc_pmpi_start(); }
void mpi_init_thread_f08_(MPI_Fint *required, MPI_Fint *provided, MPI_Fint *ierr) {
    pmpi_init_thread_f08_(required, provided, ierr); chathpc_pmpi_start();
}
void mpi_finalize_f08_(MPI_Fint *ierr) { chathpc_pmpi_report(0); pmpi_finalize_f08_(ierr); }
"""


class Profile(BaseModel):
    """One timing run's record: elapsed seconds (max over ranks) and per-rank communication."""

    seconds: float
    comm: list[CommProfile]


def read_profile(path: Path) -> Profile | None:
    """Parse a file written by a shim, or None when the program never wrote it."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return None
    seconds = None
    comm = []
    for line in lines:
        fields = line.split()
        if len(fields) == 2 and fields[0] == "elapsed":
            seconds = float(fields[1])
        elif len(fields) == 6 and fields[0] == "rank":
            rank, msgs, msg_bytes, calls, call_bytes = (int(f) for f in fields[1:])
            comm.append(CommProfile(rank=rank, p2p_messages=msgs, p2p_bytes=msg_bytes, collective_calls=calls, collective_bytes=call_bytes))
    return None if seconds is None else Profile(seconds=seconds, comm=comm)


def read_memory(directory: Path) -> list[float]:
    """Peak resident set per process (MiB) written by ``MEMORY_RECORDER`` into ``directory``, by rank
    (processes without a rank last); removes the files so that the next run starts clean."""
    found: list[tuple[int, float]] = []
    for path in directory.glob("memory.*"):
        suffix = path.name.split(".", 1)[1]
        try:
            kib = int(path.read_text().strip())
        except (OSError, ValueError):
            continue
        finally:
            path.unlink(missing_ok=True)
        found.append((int(suffix) if suffix.isdigit() else 1 << 30, round(kib / 1024, 1)))
    return [mib for _, mib in sorted(found)]
