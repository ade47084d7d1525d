#include "ui/shell/comparison_runs.hpp"

#include "ui/shell/engine_bridge.hpp"

namespace cbl::ui {

ComparisonRuns::ComparisonRuns(QObject* parent) : QObject(parent) {}

EngineBridge* ComparisonRuns::start(const QString& label, int group) {
    auto* bridge = new EngineBridge(this);
    runs_.push_back({label, group, bridge, nullptr});
    connect(bridge, &EngineBridge::snapshotReady, this, [this, bridge](SnapshotPtr s) {
        for (Run& r : runs_)
            if (r.bridge == bridge) r.last = std::move(s);
        Q_EMIT changed();
    });
    return bridge;
}

void ComparisonRuns::add(const ExperimentConfig& config, const QString& label, int group) {
    EngineBridge* bridge = start(label, group);
    // The engine loads the data on its own thread; a comparison is one more experiment beside
    // the main one and shares its throttle.
    bridge->engine().load(config);
    if (playing_) bridge->engine().play();
    Q_EMIT changed();
}

std::vector<ComparisonRuns::Capture> ComparisonRuns::capture() {
    std::vector<Capture> out;
    for (Run& r : runs_)
        out.push_back({r.label.toStdString(), r.group, r.bridge->engine().capture_state()});
    return out;
}

void ComparisonRuns::restore(std::vector<ComparisonRun> runs) {
    clear();
    for (ComparisonRun& run : runs) {
        EngineBridge* bridge = start(QString::fromStdString(run.label), run.group);
        // The engine loads the data the stored config names, as for the main run.
        bridge->engine().restore(std::move(run.state));
        if (playing_) bridge->engine().play();
    }
    Q_EMIT changed();
}

void ComparisonRuns::clear() {
    for (Run& r : runs_)
        delete r.bridge;
    runs_.clear();
    Q_EMIT changed();
}

void ComparisonRuns::remove(int i) {
    if (i < 0 || i >= count()) return;
    delete runs_[std::size_t(i)].bridge;
    runs_.erase(runs_.begin() + i);
    Q_EMIT changed();
}

void ComparisonRuns::play() {
    playing_ = true;
    for (Run& r : runs_)
        r.bridge->engine().play();
}

void ComparisonRuns::pause() {
    playing_ = false;
    for (Run& r : runs_)
        r.bridge->engine().pause();
}

void ComparisonRuns::reset() {
    playing_ = false;
    for (Run& r : runs_)
        r.bridge->engine().reset();
}

std::vector<RunCurve> ComparisonRuns::curves() const {
    std::vector<RunCurve> out;
    for (const Run& r : runs_) {
        RunCurve c;
        c.label = r.label;
        c.group = r.group;
        if (r.last) c.history = r.last->history;
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<RunEnergy> ComparisonRuns::energies() const {
    std::vector<RunEnergy> out;
    for (const Run& r : runs_)
        out.push_back(
            {r.label, r.last ? r.last->energy : EnergyReport{}, r.last ? r.last->step : 0});
    return out;
}

} // namespace cbl::ui
