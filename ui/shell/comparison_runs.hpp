#pragma once
// Runs beside the main one for side-by-side curves (FP vs direct vs MCA, or several seeds of the
// same experiment drawn as mean +- std). Each run is its own Engine on its own thread; they
// follow the main run's play/pause/reset.
#include "core/experiment/engine.hpp"
#include "core/session/session_file.hpp"
#include "ui/views/accuracy_chart.hpp"
#include "ui/views/energy_chart.hpp"

#include <QObject>

#include <future>
#include <vector>

namespace cbl::ui {

class EngineBridge;

class ComparisonRuns : public QObject {
    Q_OBJECT
  public:
    explicit ComparisonRuns(QObject* parent = nullptr);
    /// Adds a run; `group` >= 0 joins a seed group (drawn as a band with the main run).
    void add(const ExperimentConfig& config, const QString& label, int group = -1);
    /// A run's state being taken at its next step boundary, for a session save.
    struct Capture {
        std::string label;
        int group = -1;
        std::future<CapturedState> state;
    };
    std::vector<Capture> capture();
    /// Replaces the runs with a session's, each resuming where it was saved.
    void restore(std::vector<ComparisonRun> runs);
    void clear();
    /// Stops run `i` and drops it (the others keep their places in order).
    void remove(int i);
    int count() const { return int(runs_.size()); }
    /// The newest snapshot of run `i` (nullptr before its experiment is built).
    SnapshotPtr snapshot(int i) const { return runs_.at(std::size_t(i)).last; }
    QString label(int i) const { return runs_.at(std::size_t(i)).label; }
    void play();
    void pause();
    void reset();
    std::vector<RunCurve> curves() const;
    /// Each run's energy report (the energy chart draws them over the main run's bars).
    std::vector<RunEnergy> energies() const;

  Q_SIGNALS:
    void changed();

  private:
    /// A run on its own engine thread, following the list's play/pause.
    EngineBridge* start(const QString& label, int group);
    struct Run {
        QString label;
        int group = -1;
        EngineBridge* bridge = nullptr;
        SnapshotPtr last;
    };
    std::vector<Run> runs_;
    bool playing_ = false;
};

} // namespace cbl::ui
