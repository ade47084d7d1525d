#include "ui/shell/accelerator_worker.hpp"

#include "core/common/param_error.hpp"
#include "core/experiment/experiment.hpp"

#include <QMetaObject>
#include <QPointer>

#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include <chrono>

namespace cbl::ui {

AcceleratorWorker::AcceleratorWorker(QObject* parent) : QObject(parent) {
    qRegisterMetaType<std::shared_ptr<const cbl::ui::AcceleratorRun>>();
}

AcceleratorWorker::~AcceleratorWorker() {
    cancel();
    if (thread_.joinable()) thread_.join();
}

void AcceleratorWorker::cancel() {
    if (control_) control_->stop = true;
}

std::pair<int, int> AcceleratorWorker::images() const {
    if (!control_) return {0, 0};
    return {control_->images_done.load(), control_->images_total.load()};
}

bool AcceleratorWorker::start(std::future<CapturedState> captured,
                              std::vector<AcceleratorDesign> designs) {
    if (busy_) return false;
    if (thread_.joinable()) thread_.join();
    busy_ = true;
    control_ = std::make_shared<AcceleratorRunControl>();
    QPointer<AcceleratorWorker> self(this);
    // Queued to the GUI thread; the object outlives the thread (the destructor joins).
    const auto post = [self](auto f) {
        QMetaObject::invokeMethod(
            self.data(),
            [self, f] {
                if (self) f(*self);
            },
            Qt::QueuedConnection);
    };
    const int total = int(designs.size());
    Q_EMIT progress(0, total, QString::fromStdString(designs.front().name));
    thread_ = std::thread([this, post, control = control_, total, designs = std::move(designs),
                           captured = std::move(captured)]() mutable {
        auto run = std::make_shared<AcceleratorRun>();
        const auto t0 = std::chrono::steady_clock::now();
        QString error;
        try {
            // The engine answers within one training slice; an experiment that cannot be saved
            // (none loaded, diverged) cannot be run either, and says why.
            const CapturedState c = captured.get();
            const std::string task = c.state.config.value("task", "supervised");
            if (task != "supervised")
                throw InputError(
                    "the accelerator infers a supervised network's test set; a " +
                    std::string(task == "rl" ? "deep-RL run has none"
                                             : "GAN generates images, it does not classify them"));
            if (!c.data) throw InputError("the engine has no data loaded");
            // Like the engine's: every core but the GUI thread's.
            tbb::task_arena arena(std::max(1, tbb::info::default_concurrency() - 1));
            arena.execute([&] {
                const Experiment e(c.state, c.data);
                run->preset = e.config().name;
                run->step = e.step();
                run->epochs = e.epochs_done();
                run->position = e.position();
                run->test_images_all = e.data().test.size();
                run->designs = designs;
                run->results = run_accelerator_designs(
                    e, designs,
                    [&](std::size_t i, const AcceleratorResult&) {
                        const bool more = i + 1 < designs.size() && !control->stop;
                        const QString next =
                            more ? QString::fromStdString(designs[i + 1].name) : QString();
                        // Sent from this thread: queued to the view as any cross-thread
                        // signal, and a direct receiver can still stop the next design.
                        Q_EMIT progress(int(i) + 1, total, next);
                        return !control->stop;
                    },
                    control.get());
            });
            run->cancelled = run->results.size() < run->designs.size();
            run->seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        post([run, error](AcceleratorWorker& w) {
            w.busy_ = false;
            if (error.isEmpty())
                Q_EMIT w.finished(run);
            else
                Q_EMIT w.failed(error);
        });
    });
    return true;
}

} // namespace cbl::ui
