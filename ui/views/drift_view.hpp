#pragma once
// Drift (seed 002 Figs. 2C and 3E): left, test accuracy of the trained array read at times after
// training from 1 s to a month, without and with global drift compensation; right, how the mean
// conductance of programmed PCM states decays over the same span.
#include "core/device/characterisation.hpp"
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

#include <memory>

class QLineSeries;
class QCategoryAxis;
class QValueAxis;
class QPushButton;
class QLabel;

namespace cbl::ui {

class ChartView;
class CharacterisationWorker;

class DriftView : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit DriftView(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    ChartView* accuracyView() const { return accView_; }
    ChartView* conductanceView() const { return gView_; }
    /// Times after training the evaluation uses: 1 s .. 1 month, log spaced [s].
    static std::vector<double> evaluation_times();

  Q_SIGNALS:
    void evaluateRequested(const std::vector<double>& times_s);

  private:
    void drawConductance(const CharacterisationResult& r);

    ChartView* accView_;
    ChartView* gView_;
    QLineSeries *plain_, *compensated_;
    QCategoryAxis *aX_, *gX_; ///< log10 of the time in seconds
    QValueAxis *aY_, *gY_;
    QPushButton* evaluate_;
    QLabel* summary_;
    QList<QLineSeries*> gSeries_;
    CharacterisationWorker* worker_;
    nlohmann::json device_;
    bool autoAsked_ = false;
    std::uint64_t evaluatedStep_ = ~0ull;
    bool waiting_ = false;
};

} // namespace cbl::ui
