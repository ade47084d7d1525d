#pragma once
// Energy per training image (or cumulative) stacked by stage x hardware component, from the energy
// ledger's report in the snapshot, with the ratio against a 32-bit digital design (seed 002
// Table 1). The technology preset can be switched. Comparison runs are drawn over the bars as
// one marker per stage each (their own technology's energy); hovering reads bars and markers.
// Beside it, for a report priced against TIME's two comparisons (seed 000: DaDianNao and a
// GPU), the total energy per image of this run and of both on a log scale.
#include "ui/views/snapshot_view.hpp"

#include <QColor>
#include <QWidget>

#include <vector>

class QBarCategoryAxis;
class QCategoryAxis;
class QValueAxis;
class QComboBox;
class QLabel;
class QRadioButton;
class QScatterSeries;
class QStackedBarSeries;

namespace cbl::ui {

class ChartView;

/// The colour of an energy component ("adc", "pcm_set", …), the same in every chart.
QColor component_color(const QString& key);

/// A comparison run's energy report, drawn over the main run's bars.
struct RunEnergy {
    QString label;
    EnergyReport report;
    std::uint64_t step = 0; ///< training images done (the cumulative view's fallback count)
    bool operator==(const RunEnergy& o) const {
        return label == o.label && step == o.step &&
               report.energy_nJ_per_image == o.report.energy_nJ_per_image &&
               report.energy_nJ_cumulative == o.report.energy_nJ_cumulative;
    }
};

class EnergyChart : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit EnergyChart(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    ChartView* chartView() const { return view_; }
    void setComparisons(std::vector<RunEnergy> runs);
    /// The chart of this run against DaDianNao and the GPU (hidden without those references).
    ChartView* referenceView() const { return referenceView_; }
    /// Its bars as drawn: (category, nJ per image or sample); empty while it is hidden.
    QList<QPair<QString, double>> referenceBars() const;

  Q_SIGNALS:
    /// The user picked another technology preset (resources/technology).
    void technologyRequested(const QString& name);

  private:
    void redraw();
    void drawReferences(const EnergyReport& e, const QString& item);

    ChartView* view_;
    QComboBox* technology_;
    QRadioButton* perImage_;
    QRadioButton* cumulative_;
    QLabel* ratio_;
    QLabel* totals_;
    QStackedBarSeries* bars_;
    QBarCategoryAxis* x_;
    QValueAxis* y_;
    QList<QScatterSeries*> runSeries_;
    std::vector<RunEnergy> runs_;
    QString unit_; ///< what the bars' values are in ("nJ per image", "µJ so far", …)
    QStringList components_;
    QStringList stages_;
    SnapshotPtr last_;
    ChartView* referenceView_;
    QStackedBarSeries* referenceBars_; ///< one set per category, so each has its colour
    QBarCategoryAxis* referenceX_;
    QCategoryAxis* referenceY_; ///< decades: bar heights are log10(nJ) - referenceFloor_
    double referenceFloor_ = 0;
    QString referenceItem_; ///< "image" or "sample"
};

} // namespace cbl::ui
