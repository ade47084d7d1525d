#pragma once
// The Accelerator view (issue 17 item 5): the experiment's trained weights on seed 001's bit-serial
// RRAM accelerator. Seed 001's three options are toggles; Run compares the ISAAC-like baseline
// with each chosen option alone and all chosen together (the CLI's `accelerator` rows, built by
// core/accelerator/accelerator_designs.hpp) on the first test images: a ratio table against the
// baseline and the energy per image by component; a second button sweeps the baseline's ADC
// resolution (3 .. 10 bits) for accuracy against ADC bits. The runs go to an AcceleratorWorker
// on a copy of the engine's state; the view only draws their results.
#include "core/experiment/engine.hpp"
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

#include <functional>
#include <future>
#include <memory>

class QCheckBox;
class QGridLayout;
class QLabel;
class QLineSeries;
class QProgressBar;
class QPushButton;
class QScatterSeries;
class QSpinBox;
class QStackedBarSeries;
class QBarCategoryAxis;
class QTableWidget;
class QValueAxis;

namespace cbl::ui {

class AcceleratorWorker;
struct AcceleratorRun;

class AcceleratorView : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit AcceleratorView(QWidget* parent = nullptr);
    /// Where runs take the experiment's state from (the main window: Engine::capture_state).
    void setStateSource(std::function<std::future<CapturedState>()> source) {
        source_ = std::move(source);
    }
    /// Follows the experiment: whether there is a supervised network to run, how far it trained.
    void showSnapshot(const SnapshotPtr& s) override;

    /// The Run button: the baseline, each ticked option alone and the ticked ones together.
    void runDesigns();
    /// The sweep button: the baseline at 3 .. 10 ADC bits.
    void runAdcSweep();
    void cancel();
    bool busy() const;

    QCheckBox* encoding() const { return encoding_; }
    QCheckBox* adcOptimisation() const { return adcOptimisation_; }
    QCheckBox* dynamicQuantization() const { return dynamicQuantization_; }
    QSpinBox* testImages() const { return testImages_; }
    QTableWidget* table() const { return table_; }
    QList<ChartView*> charts() const { return {energyView_, sweepView_}; }
    /// The last run of the designs and of the ADC sweep drawn (null before the first).
    std::shared_ptr<const AcceleratorRun> designsRun() const { return designs_; }
    std::shared_ptr<const AcceleratorRun> sweepRun() const { return sweep_; }

    /// Lowest and highest ADC resolution of the sweep [bits] (issue 17: 3 to 10).
    static constexpr int sweep_lo_bits = 3, sweep_hi_bits = 10;

  Q_SIGNALS:
    /// A run's results (or its error) are on screen.
    void resultShown();

  protected:
    void resizeEvent(QResizeEvent* e) override;

  private:
    enum class Kind { designs, sweep };
    void start(Kind kind);
    void finish(const std::shared_ptr<const AcceleratorRun>& run);
    void drawDesigns();
    void drawSweep();
    void updateControls();
    /// The progress bar: designs done and the test images of the one under way.
    void updateProgress();
    void updateStatus();
    /// The charts side by side when the view is wide enough for both to keep their labels.
    void regrid(int width);

    AcceleratorWorker* worker_;
    std::function<std::future<CapturedState>()> source_;
    Kind running_ = Kind::designs;
    SnapshotPtr last_;
    QCheckBox *encoding_, *adcOptimisation_, *dynamicQuantization_;
    QSpinBox* testImages_;
    QPushButton *run_, *sweepButton_, *cancel_;
    QProgressBar* progress_;
    int designsDone_ = 0, designsTotal_ = 0;
    QLabel* status_;
    QString error_;
    QTableWidget* table_;
    QGridLayout* grid_;
    int columns_ = 0;
    ChartView *energyView_, *sweepView_;
    QStackedBarSeries* energyBars_;
    QBarCategoryAxis* energyX_;
    QValueAxis* energyY_;
    QLineSeries* sweepLine_;
    QScatterSeries* sweepPoints_;
    QValueAxis *sweepX_, *sweepY_;
    std::shared_ptr<const AcceleratorRun> designs_, sweep_;
};

} // namespace cbl::ui
