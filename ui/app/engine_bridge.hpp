#pragma once
// Bridges the engine thread to the GUI thread: the engine's publisher posts at most one queued
// call at a time (coalescing), and views read the newest snapshot (ARCHITECTURE.md "Publishing").
#include "core/experiment/engine.hpp"

#include <QObject>

#include <atomic>

namespace cbl::ui {

class EngineBridge : public QObject {
    Q_OBJECT
  public:
    explicit EngineBridge(QObject* parent = nullptr);
    Engine& engine() { return engine_; }
    SnapshotPtr snapshot() const { return engine_.snapshot(); }

  Q_SIGNALS:
    /// A newer snapshot is available (emitted on the GUI thread).
    void snapshotReady(cbl::SnapshotPtr snapshot);

  private:
    void deliver();
    Engine engine_;
    std::atomic<bool> pending_{false};
};

} // namespace cbl::ui
