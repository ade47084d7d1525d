#pragma once
// Runs accelerator designs (core/accelerator/accelerator_designs.hpp) off the GUI thread on a copy
// of the engine's experiment: the engine hands over its state between two training steps (as for
// a save, Engine::capture_state) and goes on training; the worker rebuilds the experiment from it
// and runs the designs one after another in a TBB arena that leaves the GUI thread a core.
// Progress and the results come back by queued signal; Cancel stops the design under way within
// a fraction of a second (the core polls its stop flag, AcceleratorRunControl).
#include "core/accelerator/accelerator_designs.hpp"
#include "core/experiment/engine.hpp"

#include <QObject>

#include <future>
#include <memory>
#include <thread>
#include <utility>

namespace cbl::ui {

/// One finished (or cancelled) run: the designs asked for and the results of those that ran.
struct AcceleratorRun {
    std::vector<AcceleratorDesign> designs;
    std::vector<AcceleratorResult> results;
    bool cancelled = false;
    std::string preset;      ///< the experiment's config name
    std::uint64_t step = 0;  ///< training images the weights had seen
    int epochs = 0;          ///< epochs done
    int position = 0;        ///< images done in the epoch in progress
    double seconds = 0;      ///< wall time of the run (copy, calibration, designs)
    int test_images_all = 0; ///< the test set's size
};

class AcceleratorWorker : public QObject {
    Q_OBJECT
  public:
    explicit AcceleratorWorker(QObject* parent = nullptr);
    /// Stops the run under way and waits for it.
    ~AcceleratorWorker() override;
    /// Starts a run on the state `captured` will hold; false (nothing started) while one runs.
    bool start(std::future<CapturedState> captured, std::vector<AcceleratorDesign> designs);
    /// Stops the run inside the design under way; the finished designs still arrive.
    void cancel();
    bool busy() const { return busy_; }
    /// Test images through the design under way and its total (0 while it calibrates).
    std::pair<int, int> images() const;

  Q_SIGNALS:
    /// `done` of `total` designs finished; `next` is the one running now ("" at the end). The
    /// start is sent from the caller's thread, each design's end from the worker's.
    void progress(int done, int total, const QString& next);
    void finished(std::shared_ptr<const cbl::ui::AcceleratorRun> run);
    void failed(const QString& message);

  private:
    std::thread thread_;
    bool busy_ = false;
    std::shared_ptr<AcceleratorRunControl> control_;
};

} // namespace cbl::ui
