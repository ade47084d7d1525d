#pragma once
// A QChartView with what every CrossbarLab chart needs: fonts that follow the widget (presentation
// mode scales them), vertical markers for parameter changes on the time axis, a placeholder
// line saying what to do while there is no data yet, and zoom and pan on charts of lines (wheel,
// rubber band, right-drag; a double-click resets) that the views' automatic ranges respect.
#include <QChartView>

#include <functional>

class QAbstractAxis;
class QBarSet;
class QCategoryAxis;
class QValueAxis;
class QXYSeries;

namespace cbl::ui {

struct TimeMarker {
    double x = 0;  ///< in units of the marked axis
    QString label; ///< what changed, e.g. "eps = 0.05"
    bool operator==(const TimeMarker& o) const { return x == o.x && label == o.label; }
};

/// Boxes for marker labels along the top of `plot`: label i (left edge at lefts[i], widths[i]
/// wide, `height` tall) goes into the first of up to `rows` rows where it overlaps no label
/// placed before it, moved left to stay inside the plot; with every row taken, the row whose
/// labels end furthest left.
QList<QRectF> place_marker_labels(const QList<double>& lefts, const QList<double>& widths,
                                  QRectF plot, double height, int rows);

class ChartView : public QChartView {
    Q_OBJECT
  public:
    explicit ChartView(const QString& title, QWidget* parent = nullptr);
    /// Vertical dashed lines at x positions of `axis` (the horizontal axis).
    void setMarkers(QValueAxis* axis, QList<TimeMarker> markers);
    const QList<TimeMarker>& markers() const { return markers_; }
    /// Shown in the middle of the plot while non-empty.
    void setPlaceholder(const QString& text);
    /// Legend entries drawn like their line series (a dashed curve gets a dashed sample); only
    /// for charts of lines: bars and areas would get hollow boxes.
    void drawLegendAsLines();
    /// Applies the widget font to title, axes and legend (charts keep their own fonts).
    void applyFonts();
    /// Texts Qt Charts drew shortened ("…" or "...") for lack of room: tick labels, axis titles,
    /// the chart title, legend entries. Empty when everything is readable (tests, --screenshot).
    QStringList truncatedTexts() const;
    /// Hover read-out: the point of a line series nearest the mouse (within a few pixels) is
    /// described in a box beside it. `format` turns (series, point) into the text; the default
    /// reads "series · x title x · y title y". Charts plotting log10 values pass their own.
    void setHoverFormat(std::function<QString(const QXYSeries*, QPointF)> format) {
        hoverFormat_ = std::move(format);
    }
    /// Hover read-out of stacked bars: the segment under the mouse, described by `format`
    /// (bar set, category index); without one, bars have no read-out.
    void setBarHoverFormat(std::function<QString(const QBarSet*, int)> format) {
        barHoverFormat_ = std::move(format);
    }
    /// Describes the point nearest `pos` (viewport coordinates), else the stacked bar segment
    /// under it, as the mouse would; empty when there is none. Tests call it; mouse moves do.
    QString hoverAt(QPointF pos);
    QString hoverText() const { return hover_; }
    /// Whether the user zoomed or panned: the automatic ranges (set_nice_range, the log axes)
    /// leave this chart's axes alone until a double-click resets them.
    bool isZoomed() const { return zoomed_; }
    /// Zooms by `factor` (< 1 in, > 1 out) about `pos` (viewport coordinates), as the wheel does.
    void zoomAt(QPointF pos, double factor);
    /// Back to the ranges before the first zoom; the automatic ranges apply again.
    void resetZoom();

  protected:
    void drawForeground(QPainter* painter, const QRectF& rect) override;
    void changeEvent(QEvent* e) override;
    void showEvent(QShowEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;

  private:
    /// Only charts of lines and points zoom (bars and areas keep their categories).
    bool zoomable() const;
    /// Flags every axis of the chart as set by the user (axis_zoomed_by_user).
    void markZoomed();
    /// Before the first zoom or pan: keeps the axes' ranges for resetZoom().
    void rememberHome();

    bool zoomed_ = false;
    bool panning_ = false;
    QPointF panFrom_; ///< the last right-drag position, viewport coordinates
    QList<QPair<QValueAxis*, QPointF>> home_; ///< axis ranges before the first zoom or pan
    QValueAxis* markerAxis_ = nullptr;
    QList<TimeMarker> markers_;
    QString placeholder_;
    /// The stacked bar segment under `chartPos` (chart coordinates): its text and the top
    /// centre of the segment, or an empty text.
    QPair<QString, QPointF> barAt(QPointF chartPos) const;

    std::function<QString(const QXYSeries*, QPointF)> hoverFormat_;
    std::function<QString(const QBarSet*, int)> barHoverFormat_;
    QString hover_;
    QPointF hoverAt_; ///< the described point, in viewport coordinates
};

/// Keeps at most about `max_points` points of a polyline, preserving each bucket's min and max so
/// spikes (single pulses) stay visible (ARCHITECTURE.md: decimate to about the pixel width).
QList<QPointF> decimate(const QList<QPointF>& points, int max_points);

/// Points a per-epoch curve keeps (decimate): about the widest plot's pixels. A run of thousands
/// of epochs otherwise grows every series and its stroked outline without bound (issue 20 soak).
constexpr int kEpochCurvePoints = 2000;

/// Whether the user zoomed or panned the chart that shows `axis` (ChartView): the automatic range
/// functions below then leave it alone.
bool axis_zoomed_by_user(const QAbstractAxis* axis);

/// Sets a linear axis to round bounds enclosing [lo, hi] with ticks at round steps (about
/// `target` intervals, anchored at 0), so labels read 0, 20, 40 rather than 0, 18.3, 36.7.
/// `keep_lo`/`keep_hi` pin that end exactly (e.g. accuracy ends at 100). Does nothing (no
/// repaint) when the axis already shows that.
/// `min_step` > 0 keeps ticks at least that far apart (1 for epoch axes: no "epoch 2.5").
void set_nice_range(QValueAxis* axis, double lo, double hi, int target = 5, bool keep_lo = false,
                    bool keep_hi = false, double min_step = 0);

/// Turns `axis` into a log scale for values plotted as log10(count): labels 1, 10, 10², 10³ …
/// at each decade (every second one beyond four) from 10^lo_exp to 10^hi_exp (Qt's log axis only
/// takes a printf format, which reads "1e+05"). Does nothing when the axis already shows that
/// range.
void set_decade_axis(QCategoryAxis* axis, int lo_exp, int hi_exp);
/// The same for times plotted as log10(seconds), labelled 1 s, 1 min, 1 h, 1 day, 1 week,
/// 1 month … where they fall inside [lo_s, hi_s] (padded by a fraction of a decade).
void set_time_axis(QCategoryAxis* axis, double lo_s, double hi_s);

/// Sets a series' pen colour and width in one go.
void style_series(QXYSeries* s, const QColor& color, double width,
                  Qt::PenStyle style = Qt::SolidLine);

/// A qualitative palette readable on white and on a projector (Okabe-Ito, colour-blind safe);
/// repeats after 8 colours.
QColor series_color(int index);
/// 16 distinct colours for stacks with many parts (the Okabe-Ito 8, then 8 lighter/darker
/// companions), so no two parts of one bar share a colour.
QColor part_color(int index);

} // namespace cbl::ui
