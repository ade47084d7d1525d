#pragma once
// Bridges the engine thread to the GUI thread: the engine's publisher posts at most one queued
// call at a time (coalescing), and views read the newest snapshot (ARCHITECTURE.md "Publishing").
// Commands go straight to the engine; answers (verdicts) come back through verdict_on_gui().
#include "core/experiment/engine.hpp"

#include <QCoreApplication>
#include <QObject>
#include <QPointer>

#include <atomic>

namespace cbl::ui {

class EngineBridge : public QObject {
    Q_OBJECT
  public:
    /// `threads`: the engine's TBB threads (0 = all cores but the GUI's).
    explicit EngineBridge(QObject* parent = nullptr, int threads = 0);
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

/// Runs `f` on the GUI thread, unless `guard` is gone by then. Callable from any thread; make
/// the guard on the GUI thread (the application object is the context, so a guard that dies
/// meanwhile is never touched).
template <typename F>
void run_on_gui(const QPointer<QObject>& guard, F f) {
    QMetaObject::invokeMethod(
        QCoreApplication::instance(),
        [guard, f = std::move(f)]() mutable {
            if (guard) f();
        },
        Qt::QueuedConnection);
}

/// A verdict callback for the engine (called on its thread) that runs `f` on the GUI thread,
/// unless `guard` is gone by then. Call on the GUI thread.
inline VerdictCallback verdict_on_gui(QObject* guard,
                                      std::function<void(const ParameterVerdict&)> f) {
    return [g = QPointer<QObject>(guard), f = std::move(f)](const ParameterVerdict& v) {
        run_on_gui(g, [f, v] { f(v); });
    };
}

} // namespace cbl::ui
