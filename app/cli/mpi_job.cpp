#include "app/cli/mpi_job.hpp"

#include "core/common/param_error.hpp"

#if defined(CROSSBARLAB_MPI)
#include <mpi.h>
#endif

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace cbl::cli {

#if defined(CROSSBARLAB_MPI)
namespace {

constexpr int result_tag = 1; ///< worker -> rank 0: "index\nsummary", or empty when it starts
constexpr int work_tag = 2;   ///< rank 0 -> worker: the index of a point to run
constexpr int stop_tag = 3;   ///< rank 0 -> worker: no points left

/// Waits for a message without spinning a core (Open MPI's blocking calls busy-poll, which would
/// take a core from the training on the same machine).
MPI_Status wait_message(int source) {
    MPI_Status status;
    for (int flag = 0;;) {
        MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
        if (flag) return status;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string receive_text(const MPI_Status& status) {
    int n = 0;
    MPI_Get_count(&status, MPI_CHAR, &n);
    std::string text(std::size_t(n), '\0');
    MPI_Recv(text.data(), n, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    return text;
}

} // namespace

MpiJob::MpiJob() {
    // Only a process started by mpirun joins: a plain run must not need an MPI runtime.
    if (!std::getenv("OMPI_COMM_WORLD_SIZE") && !std::getenv("PMIX_RANK")) return;
    int provided = 0;
    // Only the calling thread talks MPI; rank 0's training thread never does.
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    joined_ = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiJob::~MpiJob() {
    if (joined_) MPI_Finalize();
}

void MpiJob::dispatch(std::vector<SweepPoint>& points, const std::vector<std::size_t>& points_todo,
                      const Runner& run, const Finished& finished) {
    std::deque<std::size_t> todo(points_todo.begin(), points_todo.end());
    std::mutex mutex;
    const auto next = [&]() -> long long {
        std::lock_guard lock(mutex);
        if (todo.empty()) return -1;
        const std::size_t i = todo.front();
        todo.pop_front();
        return static_cast<long long>(i);
    };
    const auto store = [&](std::size_t i, nlohmann::json summary) {
        std::lock_guard lock(mutex);
        points[i].summary = std::move(summary);
        finished();
    };
    // Rank 0 trains too, on a thread of its own, while this thread answers the other ranks.
    std::thread local([&] {
        for (long long i; (i = next()) >= 0;)
            store(std::size_t(i), run(points[std::size_t(i)].config));
    });
    for (int serving = size_ - 1; serving > 0;) {
        const MPI_Status status = wait_message(MPI_ANY_SOURCE);
        const std::string text = receive_text(status);
        if (const auto eol = text.find('\n'); eol != std::string::npos)
            store(std::stoull(text.substr(0, eol)), nlohmann::json::parse(text.substr(eol + 1)));
        const long long i = next();
        if (i >= 0) {
            MPI_Send(&i, 1, MPI_LONG_LONG, status.MPI_SOURCE, work_tag, MPI_COMM_WORLD);
        } else {
            MPI_Send(nullptr, 0, MPI_LONG_LONG, status.MPI_SOURCE, stop_tag, MPI_COMM_WORLD);
            --serving;
        }
    }
    local.join();
}

void MpiJob::serve(const std::vector<SweepPoint>& points, const Runner& run) {
    std::string result; // empty: ready for a first point
    for (;;) {
        MPI_Send(result.data(), int(result.size()), MPI_CHAR, 0, result_tag, MPI_COMM_WORLD);
        const MPI_Status status = wait_message(0);
        long long i = -1;
        MPI_Recv(&i, status.MPI_TAG == work_tag ? 1 : 0, MPI_LONG_LONG, 0, status.MPI_TAG,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (status.MPI_TAG == stop_tag) return;
        if (i < 0 || std::size_t(i) >= points.size())
            throw InputError("rank 0 sent point " + std::to_string(i) + " of " +
                             std::to_string(points.size()) + ": the ranks disagree on the grid");
        result = std::to_string(i) + "\n" + run(points[std::size_t(i)].config).dump();
    }
}

#else

MpiJob::MpiJob() = default;
MpiJob::~MpiJob() = default;
void MpiJob::dispatch(std::vector<SweepPoint>&, const std::vector<std::size_t>&, const Runner&,
                      const Finished&) {}
void MpiJob::serve(const std::vector<SweepPoint>&, const Runner&) {}

#endif

void MpiJob::run(std::vector<SweepPoint>& points, const std::vector<std::size_t>& todo,
                 const Runner& run, const Finished& finished) {
    if (size_ == 1)
        run_sweep(points, todo, run, finished);
    else if (rank_ == 0)
        dispatch(points, todo, run, finished);
    else
        serve(points, run);
}

} // namespace cbl::cli
