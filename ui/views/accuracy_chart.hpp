#pragma once
// Accuracy and loss per epoch (train and test), the epoch in progress, parameter-change markers,
// and other runs overlaid for comparison (FP vs direct vs MCA, or seeds as a mean +- std band).
// A character model (text data) shows its losses in bits per character with the validation
// curve (seed 002 Fig. 4E) and, below, the characters the model wrote at each epoch's end.
#include "core/experiment/snapshot.hpp"
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

class QLineSeries;
class QAreaSeries;
class QLabel;
class QPlainTextEdit;
class QValueAxis;

namespace cbl::ui {

class ChartView;

/// Another run's history drawn beside the main one.
struct RunCurve {
    QString label;
    std::vector<EpochMetrics> history;
    int group = -1; ///< runs with the same group >= 0 are seeds: drawn as mean +- std
};

class AccuracyChart : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit AccuracyChart(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    void setComparisons(std::vector<RunCurve> runs);
    ChartView* accuracyView() const { return accView_; }
    ChartView* lossView() const { return lossView_; }
    /// Points of the main run's test accuracy series (tests).
    int testPoints() const;
    /// The big test-accuracy line ("test accuracy 81.32 % after epoch 1 of 20"); the main
    /// window shows the label in the dock's title bar, where it costs the charts no height.
    QString headline() const;
    QLabel* headlineLabel() const { return headline_; }
    /// The characters sampled at each epoch's end, newest first (text data; tests).
    QString sampleText() const;

  private:
    void rebuildComparisons();
    void updateRanges();
    /// Titles, units and the text box for image classification or a character model.
    void setTextMode(bool text);
    /// A loss in the chart's unit: nats, or bits per character for text.
    double lossUnit(double nats) const;

    QLabel* headline_;
    ChartView* accView_;
    ChartView* lossView_;
    QLineSeries *trainAcc_, *testAcc_, *runningAcc_;
    QLineSeries *trainLoss_, *testLoss_, *runningLoss_, *validationLoss_;
    QPlainTextEdit* samples_;
    bool textMode_ = false;
    qsizetype sampledEpochs_ = -1;
    QValueAxis *accX_, *accY_, *lossX_, *lossY_;
    std::vector<RunCurve> runs_;
    QList<QLineSeries*> extraAcc_, extraLoss_;
    QList<QAreaSeries*> bands_;
    SnapshotPtr last_;
    /// Epochs the finished-epoch curves were last built from, and the last one's test point and
    /// training loss: the curves are decimated, so their points cannot say it.
    qsizetype drawnEpochs_ = 0;
    QPointF drawnLastTest_;
    double drawnLastLoss_ = 0;
    /// The epoch in progress as the chart saw it: (fractional epoch, running accuracy [%] /
    /// loss) at each drawn snapshot, so the running estimate is a curve, not a lone dot.
    QList<QPointF> runAcc_, runLoss_;
    int runEpoch_ = -1;
    std::uint64_t runStep_ = 0;
};

} // namespace cbl::ui
