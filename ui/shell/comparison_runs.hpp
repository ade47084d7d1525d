#pragma once
// Runs beside the main one for side-by-side curves (FP vs direct vs MCA, or several seeds of the
// same experiment drawn as mean +- std). Each run is its own Engine on its own thread; they
// follow the main run's play/pause/reset.
#include "ui/views/accuracy_chart.hpp"

#include <QObject>

#include <vector>

namespace cbl::ui {

class EngineBridge;

class ComparisonRuns : public QObject {
    Q_OBJECT
  public:
    explicit ComparisonRuns(QObject* parent = nullptr);
    /// Adds a run; `group` >= 0 joins a seed group (drawn as a band with the main run).
    void add(const ExperimentConfig& config, const QString& label, int group = -1);
    void clear();
    int count() const { return int(runs_.size()); }
    void play();
    void pause();
    void reset();
    std::vector<RunCurve> curves() const;

  Q_SIGNALS:
    void changed();

  private:
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
