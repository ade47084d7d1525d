#pragma once
// Pinned synapses' G+ and G- over device time (seed 002 Fig. 3B): steps are SET pulses, the slow
// decay between them is conductance drift, drops to ~0 are refreshes (RESET + re-program).
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

class QLineSeries;
class QValueAxis;
class QPushButton;
class QLabel;

namespace cbl::ui {

class ChartView;

class TracesChart : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit TracesChart(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    ChartView* chartView() const { return view_; }
    int seriesCount() const { return int(series_.size()); }

  Q_SIGNALS:
    void unpinAllRequested();
    void pinRequested(int layer, int row, int col);

  private:
    ChartView* view_;
    QValueAxis *x_, *y_;
    QPushButton* unpin_;
    QPushButton* pinRandom_;
    QLabel* hint_;
    QList<QLineSeries*> series_;
    QStringList seriesNames_; ///< one per series: "L1 (5, 7) G+", "… G−", or "… G" for one device
    SnapshotPtr last_;
};

} // namespace cbl::ui
