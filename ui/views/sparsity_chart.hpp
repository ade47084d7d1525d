#pragma once
// Update sparsity (seed 002 Fig. 3C): per epoch and layer, programming pulses actually applied to
// the devices versus the number of weights a full-precision update would have changed, on a log
// axis. The mixed-precision scheme sits about three orders of magnitude below. Comparison runs
// add their device updates per epoch (all layers) as dotted lines.
#include "ui/views/accuracy_chart.hpp"
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

class QLineSeries;
class QValueAxis;
class QCategoryAxis;
class QLabel;

namespace cbl::ui {

class ChartView;

class SparsityChart : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit SparsityChart(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    /// The runs beside the main one: one dotted line each, its devices programmed per epoch.
    void setComparisons(std::vector<RunCurve> runs);
    ChartView* chartView() const { return view_; }

  private:
    /// Redraws from the last snapshot (or, without one, only the comparison runs).
    void redraw();

    SnapshotPtr last_;
    std::vector<RunCurve> runs_;
    QList<QLineSeries*> runSeries_;
    ChartView* view_;
    QLabel* summary_;
    QValueAxis* x_;
    QCategoryAxis* y_; ///< log10 of the counts, labelled by decade
    QList<QLineSeries*> series_;
    // What the chart shows now: it only changes at the end of an epoch (or with an event).
    std::size_t drawnEpochs_ = SIZE_MAX;
    std::size_t drawnEvents_ = SIZE_MAX;
    int drawnTotal_ = -1;
    double drawnLast_ = -1; ///< last epoch's test accuracy (another run with as many epochs)
};

} // namespace cbl::ui
