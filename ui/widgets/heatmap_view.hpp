#pragma once
// One matrix drawn as a heatmap with axes, a colour bar in physical units, hover read-out, wheel
// zoom, drag pan and click-to-pick. Colouring goes through a 256-entry LUT into a QImage RGB32
// (ARCHITECTURE.md: ~0.06 ms for 785x250) and is drawn with smoothing off, so a repaint of a
// full layer stays well inside a frame.
#include "ui/widgets/colormap.hpp"

#include <Eigen/Core>
#include <QImage>
#include <QWidget>

#include <functional>
#include <utility>
#include <vector>

namespace cbl::ui {

class HeatmapView : public QWidget {
    Q_OBJECT
  public:
    explicit HeatmapView(QWidget* parent = nullptr);

    /// Shows `m` (rows x cols) coloured over [lo, hi] with `map`; `unit` labels the colour bar.
    void setMatrix(const Eigen::MatrixXf& m, double lo, double hi, Colormap map,
                   const QString& unit);
    void setTitle(const QString& title);
    void setAxisTitles(const QString& x, const QString& y);
    /// Text for the hover read-out of a cell (row, col); default: the value with its unit.
    void setHoverText(std::function<QString(int, int)> f) { hoverText_ = std::move(f); }
    /// Tick labels of the columns and rows (a swept parameter's values, a mosaic's tiles), one
    /// per cell, "" for a cell without a tick; empty lists: cell indices.
    void setTickLabels(const QStringList& columns, const QStringList& rows);
    const QStringList& columnTickLabels() const { return colLabels_; }
    const QStringList& rowTickLabels() const { return rowLabels_; }
    /// Written inside each cell where it fits (a sweep's few large cells); empty: nothing.
    void setCellText(std::function<QString(int, int)> f);
    /// The line under the map while nothing is hovered; empty: how to pin synapses.
    void setHint(const QString& hint);
    /// Shown instead of the map when there is no matrix.
    void setEmptyText(const QString& text);
    /// Cells outlined as pinned.
    void setMarkers(std::vector<std::pair<int, int>> cells);
    void resetZoom();
    /// Zooms onto a window of cells (tests, presentation).
    void zoomTo(double col0, double row0, double cols, double rows);

    int rows() const { return int(data_.rows()); }
    int cols() const { return int(data_.cols()); }
    float value(int row, int col) const { return data_(row, col); }
    /// Widget position of a cell's centre (tests click it).
    QPoint cellCenter(int row, int col) const;
    /// Cell under a widget position, or (-1, -1).
    std::pair<int, int> cellAt(QPointF pos) const;
    const QImage& image() const { return image_; }
    /// Cells above the top of the colour scale (drawn in its top colour, flagged on the bar).
    long long clippedHigh() const { return clippedHigh_; }
    /// The largest value when some cells are above the scale (else 0).
    float clippedMax() const { return dataMax_; }
    /// Cells holding NaN or +-inf (drawn in non_finite_rgb).
    long long nonFinite() const { return nonFinite_; }
    static constexpr QRgb non_finite_rgb = 0xff9e9e9e;
    QString hoverLine() const { return hoverLine_; }
    /// Titles the last paint had to shorten with "…" for lack of room (tests, --screenshot).
    const QStringList& elidedTexts() const { return elided_; }

    QSize sizeHint() const override { return {720, 420}; }
    QSize minimumSizeHint() const override { return {240, 160}; }

  Q_SIGNALS:
    void cellClicked(int row, int col);
    void cellHovered(int row, int col);

  protected:
    void paintEvent(QPaintEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void mouseReleaseEvent(QMouseEvent*) override;
    void mouseDoubleClickEvent(QMouseEvent*) override;
    void wheelEvent(QWheelEvent*) override;
    void leaveEvent(QEvent*) override;

  private:
    void recolor();
    QRectF plotRect() const;
    QRectF barRect() const;
    void clampWindow();

    Eigen::MatrixXf data_;
    double lo_ = 0, hi_ = 1;
    Colormap map_ = Colormap::viridis;
    QString unit_, title_, xTitle_, yTitle_;
    QStringList colLabels_, rowLabels_;
    std::function<QString(int, int)> cellText_;
    QString hint_;
    QString emptyText_ = "no crossbar data: this layer is full precision (FP) or nothing is loaded";
    QStringList elided_;
    QImage image_;
    QImage bar_;
    long long clippedHigh_ = 0;
    long long nonFinite_ = 0;
    float dataMax_ = 0;
    // Visible window in cell units: x = column, y = row.
    double wx_ = 0, wy_ = 0, ww_ = 1, wh_ = 1;
    bool zoomed_ = false;
    std::pair<int, int> hover_{-1, -1};
    QString hoverLine_;
    std::vector<std::pair<int, int>> markers_;
    std::function<QString(int, int)> hoverText_;
    QPointF pressPos_;
    double pressWx_ = 0, pressWy_ = 0;
    bool pressed_ = false, dragged_ = false;
};

/// Round numbers between lo and hi for axis ticks (about `target` of them).
std::vector<double> nice_ticks(double lo, double hi, int target);

} // namespace cbl::ui
