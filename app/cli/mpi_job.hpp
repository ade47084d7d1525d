#pragma once
// A sweep across the ranks of an MPI job (issue 19): `mpirun -np N crossbarlab-cli sweep ...`.
// Rank 0 owns the sweep file and hands the points out one at a time, to the other ranks as they
// ask and to a thread of its own; every rank trains whole points, so a summary does not depend
// on where it ran. A build without MPI, or a process not started by mpirun, is a job of one rank.
#include "core/sweep/sweep.hpp"

#include <functional>

namespace cbl::cli {

class MpiJob {
  public:
    /// Joins the MPI job when mpirun started this process (and the build has MPI).
    MpiJob();
    ~MpiJob();
    MpiJob(const MpiJob&) = delete;
    MpiJob& operator=(const MpiJob&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }

    using Runner = std::function<nlohmann::json(const nlohmann::json& config)>;
    using Finished = std::function<void()>;
    /// Rank 0: runs the points `todo` names on all ranks; `finished` is called on rank 0,
    /// serialised, after each point. Other ranks: serve rank 0 until it has no more points.
    void run(std::vector<SweepPoint>& points, const std::vector<std::size_t>& todo,
             const Runner& run, const Finished& finished);

  private:
    void dispatch(std::vector<SweepPoint>& points, const std::vector<std::size_t>& todo,
                  const Runner& run, const Finished& finished);
    void serve(const std::vector<SweepPoint>& points, const Runner& run);

    int rank_ = 0, size_ = 1;
    bool joined_ = false;
};

} // namespace cbl::cli
