#pragma once
// A parameter sweep's results (issue 19): one metric over two swept parameters as a heatmap (mean
// over seeds, spread on hover, unrun points as empty cells), or over one as a line plot (mean ±
// std); swept parameters on neither axis are held at a chosen value. Exports the map as PNG and
// the table as CSV. The numbers come from core/sweep/sweep_table; this only draws them.
#include "core/sweep/sweep_table.hpp"

#include <QWidget>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineSeries;
class QPushButton;
class QStackedWidget;

namespace cbl::ui {

class ChartView;
class HeatmapView;

class SweepView : public QWidget {
    Q_OBJECT
  public:
    explicit SweepView(QWidget* parent = nullptr);
    /// Shows the sweep file at `path`. Returns an empty string, or why it cannot be shown (the
    /// file and what is wrong named); then the sweep shown before stays.
    QString open(const QString& path);
    /// Draws a second sweep of the same grid beside the first in the line plot (seed 002 Fig.
    /// 4C: FP32 and MCA over the dropout rate). Empty string, or why not (the file, or which
    /// swept parameter differs); an empty path stops comparing.
    QString compare(const QString& path);

    /// Index into metrics().
    void setMetric(int index);
    /// Swept parameters on the axes (indices into the grid's axes); `y` = -1 plots a line over x.
    void setAxes(int x, int y);
    /// Holds the swept parameter `axis` (on neither axis) at its `value`-th value.
    void setFixedValue(int axis, int value);

    const std::vector<SweepMetric>& metrics() const { return metrics_; }
    const std::vector<GridAxis>& axes() const { return table_.axes; }
    HeatmapView* heatmap() const { return heatmap_; }
    ChartView* chart() const { return chart_; }
    bool showsLinePlot() const;
    /// The map (or the line plot) as PNG; the table of every metric as CSV. Both atomic. Empty
    /// string or the error.
    QString exportPng(const QString& path);
    QString exportCsv(const QString& path);

  private:
    void fillControls();
    void redraw();
    void drawMap();
    void drawLine();
    /// Adds one sweep's mean line and ±1 std band to the line plot; widens [lo, hi] to them.
    QLineSeries* addLine(const SweepTable& table, const QString& name, int colour, double& lo,
                         double& hi);
    /// A parameter's name and unit, "refresh threshold [µS]".
    QString axisTitle(int axis) const;
    QString metricTitle() const;
    /// A parameter at one of its values, "refresh threshold 8 µS".
    QString setting(int axis, std::size_t value) const;
    /// The values the parameters on neither axis are held at, " at refresh threshold 8 µS".
    QString heldTitle() const;
    /// The grid indices of the cell at x index `xi` and y index `yi` (-1: no y axis).
    std::vector<std::size_t> cellIndex(int xi, int yi) const;
    /// Hover read-out: where, the mean, the spread and how many seeds ran.
    QString describe(const std::vector<std::size_t>& at) const;

    QComboBox* metricBox_;
    QComboBox* xBox_;
    QComboBox* yBox_;
    QHBoxLayout* fixedLayout_;
    std::vector<QComboBox*> fixedBoxes_;
    QLabel* info_;
    QStackedWidget* stack_;
    HeatmapView* heatmap_;
    ChartView* chart_;

    QString path_;
    std::vector<SweepPoint> points_;
    std::vector<SweepMetric> metrics_;
    QString family_; ///< device family of the sweep's configs, for parameter names
    SweepTable table_;
    QString comparePath_; ///< the second sweep of compare(), "" when none
    std::vector<SweepPoint> comparePoints_;
    QPushButton* compareButton_;
    std::vector<std::size_t> fixed_; ///< per swept parameter: the value held
    int metric_ = 0, x_ = -1, y_ = -1;
};

} // namespace cbl::ui
