#pragma once
// Energy per training image (or cumulative) stacked by stage x hardware component, from the energy
// ledger's report in the snapshot, with the ratio against a 32-bit digital design (seed 002
// Table 1). The technology preset can be switched.
#include "ui/views/snapshot_view.hpp"

#include <QColor>
#include <QWidget>

class QBarCategoryAxis;
class QValueAxis;
class QComboBox;
class QLabel;
class QRadioButton;
class QStackedBarSeries;

namespace cbl::ui {

class ChartView;

/// The colour of an energy component ("adc", "pcm_set", …), the same in every chart.
QColor component_color(const QString& key);

class EnergyChart : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit EnergyChart(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    ChartView* chartView() const { return view_; }

  Q_SIGNALS:
    /// The user picked another technology preset (resources/technology).
    void technologyRequested(const QString& name);

  private:
    void redraw();

    ChartView* view_;
    QComboBox* technology_;
    QRadioButton* perImage_;
    QRadioButton* cumulative_;
    QLabel* ratio_;
    QLabel* totals_;
    QStackedBarSeries* bars_;
    QBarCategoryAxis* x_;
    QValueAxis* y_;
    QStringList components_;
    QStringList stages_;
    SnapshotPtr last_;
};

} // namespace cbl::ui
