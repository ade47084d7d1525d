#include "ui/widgets/chart_view.hpp"

#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QLegend>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollArea>
#include <QStackedBarSeries>
#include <QValueAxis>
#include <QWheelEvent>
#include <QXYSeries>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace cbl::ui {

QColor series_color(int index) {
    static const QColor colors[] = {
        QColor(0, 114, 178), QColor(213, 94, 0),   QColor(0, 158, 115),   QColor(204, 121, 167),
        QColor(230, 159, 0), QColor(86, 180, 233), QColor(120, 120, 120), QColor(0, 0, 0)};
    return colors[index % 8];
}

QColor part_color(int index) {
    // The series palette first, then its lighter/darker companions.
    static const QColor companions[] = {
        QColor(155, 205, 240), QColor(245, 175, 130), QColor(140, 215, 185), QColor(120, 40, 100),
        QColor(250, 215, 100), QColor(20, 60, 120),   QColor(200, 200, 200), QColor(140, 90, 40)};
    const int k = ((index % 16) + 16) % 16;
    return k < 8 ? series_color(k) : companions[k - 8];
}

namespace {
/// The axis property ChartView sets while the user's zoom holds.
constexpr const char* user_zoom_property = "cblUserZoom";
} // namespace

bool axis_zoomed_by_user(const QAbstractAxis* axis) {
    return axis && axis->property(user_zoom_property).toBool();
}

QList<QRectF> place_marker_labels(const QList<double>& lefts, const QList<double>& widths,
                                  QRectF plot, double height, int rows) {
    rows = std::max(1, rows);
    QList<QRectF> placed;
    std::vector<double> rowEnd(std::size_t(rows), -1e300); // right edge of each row's last box
    for (qsizetype i = 0; i < lefts.size(); ++i) {
        const double w = widths[i];
        const double left = std::max(plot.left(), std::min(lefts[i], plot.right() - w));
        int row = -1;
        for (int r = 0; r < rows && row < 0; ++r) {
            const QRectF box(left, plot.top() + 2 + r * height, w, height);
            if (std::none_of(placed.begin(), placed.end(),
                             [&](const QRectF& p) { return p.intersects(box); }))
                row = r;
        }
        if (row < 0) row = int(std::min_element(rowEnd.begin(), rowEnd.end()) - rowEnd.begin());
        placed.append(QRectF(left, plot.top() + 2 + row * height, w, height));
        rowEnd[std::size_t(row)] = std::max(rowEnd[std::size_t(row)], placed.back().right());
    }
    return placed;
}

void set_nice_range(QValueAxis* axis, double lo, double hi, int target, bool keep_lo, bool keep_hi,
                    double min_step) {
    if (!axis || axis_zoomed_by_user(axis)) return;
    if (!(hi > lo)) hi = lo + 1;
    const double raw = (hi - lo) / std::max(1, target);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * mag;
    for (double f : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (f * mag >= raw * 0.999) {
            step = f * mag;
            break;
        }
    if (min_step > 0 && step < min_step) step = min_step;
    if (min_step >= 1) step = std::round(step == 2.5 ? 2 : step); // whole epochs: 1, 2, 5, 10
    const double a = keep_lo ? lo : std::floor(lo / step + 1e-9) * step;
    const double b = keep_hi ? hi : std::ceil(hi / step - 1e-9) * step;
    if (axis->tickType() != QValueAxis::TicksDynamic) axis->setTickType(QValueAxis::TicksDynamic);
    if (axis->tickAnchor() != 0) axis->setTickAnchor(0);
    if (axis->tickInterval() != step) axis->setTickInterval(step);
    // As many decimals as the step needs: 5 -> 0, 0.5 -> 1, 0.25 -> 2.
    const double exponent = std::floor(std::log10(step) + 1e-9);
    const bool quarter = std::abs(step / std::pow(10.0, exponent) - 2.5) < 1e-6;
    const int decimals = std::clamp(int(-exponent) + (quarter ? 1 : 0), 0, 6);
    const QString format = QString("%.%1f").arg(decimals);
    if (axis->labelFormat() != format) axis->setLabelFormat(format);
    if (axis->min() != a || axis->max() != b) axis->setRange(a, b);
}

namespace {

/// Shows [lo, hi] (in log10 units) on `axis` with a label at each (position, text) inside it.
void set_log_ticks(QCategoryAxis* axis, double lo, double hi,
                   const QList<QPair<double, QString>>& ticks) {
    if (axis_zoomed_by_user(axis)) return;
    QStringList labels;
    for (const auto& [at, text] : ticks)
        if (at >= lo - 1e-9 && at <= hi + 1e-9) labels.append(text);
    if (axis->categoriesLabels() == labels && axis->min() == lo && axis->max() == hi) return;
    for (const QString& label : axis->categoriesLabels())
        axis->remove(label);
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->setStartValue(lo);
    for (const auto& [at, text] : ticks)
        if (labels.contains(text)) axis->append(text, at);
    axis->setRange(lo, hi);
}

} // namespace

void set_decade_axis(QCategoryAxis* axis, int lo_exp, int hi_exp) {
    static const QString superscripts = QStringLiteral("⁰¹²³⁴⁵⁶⁷⁸⁹");
    // At most about four labels: beyond three decades every second or third one, so labels
    // stay apart in the short charts of a docked view on a 768-pixel screen.
    hi_exp = std::max(hi_exp, lo_exp + 1);
    const int step = std::max(1, (hi_exp - lo_exp + 2) / 3);
    const auto floor_to = [step](int e) { return e - ((e % step) + step) % step; };
    lo_exp = floor_to(lo_exp);
    hi_exp = hi_exp % step == 0 ? hi_exp : floor_to(hi_exp) + step;
    QList<QPair<double, QString>> ticks;
    for (int e = lo_exp; e <= hi_exp; e += step) {
        QString label = e == 0 ? "1" : "10";
        if (e < 0 || e > 1) {
            if (e < 0) label += QChar(0x207B); // superscript minus
            for (const QChar d : QString::number(std::abs(e)))
                label += superscripts[d.digitValue()];
        }
        ticks.append({double(e), label});
    }
    set_log_ticks(axis, lo_exp, hi_exp, ticks);
}

void set_time_axis(QCategoryAxis* axis, double lo_s, double hi_s) {
    static const QList<std::pair<double, QString>> marks = {
        {1, "1 s"},         {10, "10 s"},         {60, "1 min"},
        {600, "10 min"},    {3600, "1 h"},        {86400, "1 day"},
        {604800, "1 week"}, {2592000, "1 month"}, {31536000, "1 year"}};
    QList<QPair<double, QString>> ticks;
    for (const auto& [s, text] : marks)
        ticks.append({std::log10(s), text});
    // A little room at both ends, so the end points and their labels ("1 month") stay inside.
    set_log_ticks(axis, std::log10(lo_s) - 0.1, std::log10(std::max(hi_s, lo_s * 10)) + 0.25,
                  ticks);
}

void style_series(QXYSeries* s, const QColor& color, double width, Qt::PenStyle style) {
    QPen pen(color);
    pen.setWidthF(width);
    pen.setStyle(style);
    s->setPen(pen);
    s->setColor(color);
}

QList<QPointF> decimate(const QList<QPointF>& points, int max_points) {
    if (points.size() <= max_points || max_points < 4) return points;
    QList<QPointF> out;
    const int buckets = max_points / 2;
    out.reserve(buckets * 2 + 2);
    const double per = double(points.size()) / buckets;
    for (int b = 0; b < buckets; ++b) {
        const int i0 = int(b * per), i1 = std::min<int>(points.size(), int((b + 1) * per));
        if (i0 >= i1) continue;
        int lo = i0, hi = i0;
        for (int i = i0; i < i1; ++i) {
            if (points[i].y() < points[lo].y()) lo = i;
            if (points[i].y() > points[hi].y()) hi = i;
        }
        out.append(points[std::min(lo, hi)]);
        if (lo != hi) out.append(points[std::max(lo, hi)]);
    }
    if (out.last() != points.last()) out.append(points.last());
    return out;
}

ChartView::ChartView(const QString& title, QWidget* parent) : QChartView(parent) {
    auto* chart = new QChart; // the view owns it (ARCHITECTURE.md)
    chart->setTitle(title);
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    // The white card reaches the view's edge: the 9 px of grey around it and its rounded
    // corners cost a small screen's charts their tick labels.
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setBackgroundRoundness(0);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    // Small enough for a 1024 x 640 window; the layouts give charts more where they have it.
    setMinimumSize(200, 120);
    setMouseTracking(true);
    viewport()->setMouseTracking(true);
}

QString ChartView::hoverAt(QPointF pos) {
    // The nearest drawn point of any visible line or scatter series, within 12 px.
    QXYSeries* best = nullptr;
    QPointF bestPoint, bestPixel;
    double bestDist = 12 * 12;
    const QPointF scenePos = mapToScene(pos.toPoint());
    const QPointF chartPos = chart()->mapFromScene(scenePos);
    for (QAbstractSeries* a : chart()->series()) {
        auto* s = qobject_cast<QXYSeries*>(a);
        if (!s || !s->isVisible() || s->attachedAxes().size() < 2) continue;
        const QList<QPointF> points = s->points();
        for (const QPointF& p : points) {
            const QPointF at = chart()->mapToPosition(p, s);
            const QPointF d = at - chartPos;
            const double dist = d.x() * d.x() + d.y() * d.y();
            if (dist < bestDist && chart()->plotArea().adjusted(-2, -2, 2, 2).contains(at)) {
                bestDist = dist;
                best = s;
                bestPoint = p;
                bestPixel = at;
            }
        }
    }
    QString text;
    if (best) {
        if (hoverFormat_) {
            text = hoverFormat_(best, bestPoint);
        } else {
            // Each coordinate with its axis title; the log axes (category axes here, plotting
            // log10 of the value) show the value itself, times in seconds.
            QString xt, yt, xv, yv;
            for (QAbstractAxis* ax : best->attachedAxes()) {
                const bool horizontal = ax->orientation() == Qt::Horizontal;
                const double v = horizontal ? bestPoint.x() : bestPoint.y();
                QString value = QLocale().toString(v, 'g', 4);
                if (qobject_cast<QCategoryAxis*>(ax)) {
                    value = QLocale().toString(std::pow(10.0, v), 'g', 3);
                    if (ax->titleText().contains("time")) value += " s";
                }
                QString title = ax->titleText();
                title = title.left(title.indexOf(" (")); // "time after … (log scale)"
                (horizontal ? xt : yt) = title;
                (horizontal ? xv : yv) = value;
            }
            text = QString("%1 · %2 %3 · %4 %5").arg(best->name(), xt, xv, yt, yv);
        }
    }
    if (!best) std::tie(text, bestPixel) = barAt(chartPos);
    const QPointF pixel =
        !text.isEmpty() ? mapFromScene(chart()->mapToScene(bestPixel)) : QPointF();
    if (text != hover_ || pixel != hoverAt_) {
        hover_ = text;
        hoverAt_ = pixel;
        viewport()->update();
    }
    return hover_;
}

QPair<QString, QPointF> ChartView::barAt(QPointF chartPos) const {
    if (!barHoverFormat_ || !chart()->plotArea().contains(chartPos)) return {};
    for (QAbstractSeries* a : chart()->series()) {
        auto* s = qobject_cast<QStackedBarSeries*>(a);
        if (!s || !s->isVisible() || s->attachedAxes().size() < 2) continue;
        const QList<QBarSet*> sets = s->barSets();
        const int categories = sets.isEmpty() ? 0 : int(sets.front()->count());
        for (int k = 0; k < categories; ++k) {
            // Category k is centred on x = k; the bar covers barWidth() of a category's width.
            const double x0 = chart()->mapToPosition(QPointF(k - s->barWidth() / 2, 0), s).x();
            const double x1 = chart()->mapToPosition(QPointF(k + s->barWidth() / 2, 0), s).x();
            if (chartPos.x() < std::min(x0, x1) || chartPos.x() > std::max(x0, x1)) continue;
            double base = 0; // positive values stack upwards from 0
            for (const QBarSet* set : sets) {
                const double v = set->at(k);
                if (v <= 0) continue;
                const double y0 = chart()->mapToPosition(QPointF(k, base), s).y();
                const double y1 = chart()->mapToPosition(QPointF(k, base + v), s).y();
                base += v;
                if (chartPos.y() <= std::max(y0, y1) && chartPos.y() >= std::min(y0, y1))
                    return {barHoverFormat_(set, k), QPointF((x0 + x1) / 2, std::min(y0, y1))};
            }
        }
    }
    return {};
}

void ChartView::mouseMoveEvent(QMouseEvent* e) {
    if (panning_) {
        const QPointF d = e->position() - panFrom_;
        panFrom_ = e->position();
        chart()->scroll(-d.x(), d.y()); // the data follows the mouse
        markZoomed();
        e->accept();
        return;
    }
    hoverAt(e->position());
    QChartView::mouseMoveEvent(e);
}

bool ChartView::zoomable() const {
    const QList<QAbstractSeries*> all = chart()->series();
    return !all.isEmpty() && std::all_of(all.begin(), all.end(), [](QAbstractSeries* s) {
        return qobject_cast<QXYSeries*>(s) != nullptr;
    });
}

void ChartView::rememberHome() {
    if (zoomed_) return;
    home_.clear();
    for (QAbstractAxis* a : chart()->axes())
        if (auto* v = qobject_cast<QValueAxis*>(a)) home_.append({v, QPointF(v->min(), v->max())});
}

void ChartView::markZoomed() {
    for (QAbstractAxis* a : chart()->axes())
        a->setProperty(user_zoom_property, true);
    if (!zoomed_) {
        zoomed_ = true;
        viewport()->update(); // the reset hint
    }
}

void ChartView::zoomAt(QPointF pos, double factor) {
    const QRectF plot = chart()->plotArea();
    const QPointF at = chart()->mapFromScene(mapToScene(pos.toPoint()));
    if (!plot.contains(at) || !(factor > 0)) return;
    rememberHome();
    // The point under the mouse stays where it is.
    chart()->zoomIn(QRectF(at.x() - (at.x() - plot.left()) * factor,
                           at.y() - (at.y() - plot.top()) * factor, plot.width() * factor,
                           plot.height() * factor));
    markZoomed();
}

void ChartView::resetZoom() {
    chart()->zoomReset();
    // The ranges before the first zoom or pan (QChart's own reset forgets pans).
    for (const auto& [axis, range] : home_)
        if (chart()->axes().contains(axis)) axis->setRange(range.x(), range.y());
    home_.clear();
    for (QAbstractAxis* a : chart()->axes())
        a->setProperty(user_zoom_property, false);
    zoomed_ = false;
    viewport()->update();
}

void ChartView::wheelEvent(QWheelEvent* e) {
    // Inside a scrolling panel the plain wheel scrolls the panel; Ctrl + wheel zooms.
    bool inScrollArea = false;
    for (QWidget* w = parentWidget(); w && !inScrollArea; w = w->parentWidget())
        inScrollArea = qobject_cast<QAbstractScrollArea*>(w) != nullptr;
    if (!zoomable() || (inScrollArea && !(e->modifiers() & Qt::ControlModifier)) ||
        e->angleDelta().y() == 0) {
        e->ignore();
        return;
    }
    // One notch (120) zooms in by about 17 %.
    zoomAt(e->position(), std::pow(1.0015, -e->angleDelta().y()));
    e->accept();
}

void ChartView::mousePressEvent(QMouseEvent* e) {
    if (zoomable() && e->button() == Qt::RightButton) {
        // Right-drag pans.
        rememberHome();
        panning_ = true;
        panFrom_ = e->position();
        e->accept();
        return;
    }
    setRubberBand(zoomable() ? QChartView::RectangleRubberBand : QChartView::NoRubberBand);
    if (zoomable() && e->button() == Qt::LeftButton) rememberHome(); // a rubber band may follow
    QChartView::mousePressEvent(e);
}

void ChartView::mouseReleaseEvent(QMouseEvent* e) {
    if (panning_ && e->button() == Qt::RightButton) {
        panning_ = false;
        e->accept();
        return;
    }
    // A rubber band that zoomed (QChartView zooms on the left button's release) changed the
    // horizontal range; a click without a drag did not.
    const QList<QAbstractAxis*> xs = chart()->axes(Qt::Horizontal);
    const auto* x = xs.isEmpty() ? nullptr : qobject_cast<QValueAxis*>(xs.first());
    const QPointF before = x ? QPointF(x->min(), x->max()) : QPointF();
    QChartView::mouseReleaseEvent(e);
    if (x && e->button() == Qt::LeftButton && rubberBand() != QChartView::NoRubberBand &&
        QPointF(x->min(), x->max()) != before)
        markZoomed();
}

void ChartView::mouseDoubleClickEvent(QMouseEvent* e) {
    if (zoomed_ && e->button() == Qt::LeftButton) {
        resetZoom();
        e->accept();
        return;
    }
    QChartView::mouseDoubleClickEvent(e);
}

void ChartView::leaveEvent(QEvent* e) {
    if (!hover_.isEmpty()) {
        hover_.clear();
        viewport()->update();
    }
    QChartView::leaveEvent(e);
}

void ChartView::drawLegendAsLines() {
    chart()->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
}

void ChartView::applyFonts() {
    QFont f = font();
    QFont title = f;
    title.setBold(true);
    title.setPointSizeF(f.pointSizeF() * 1.15);
    chart()->setTitleFont(title);
    chart()->legend()->setFont(f);
    QFont small = f;
    small.setPointSizeF(f.pointSizeF() * 0.9);
    for (QAbstractAxis* a : chart()->axes()) {
        a->setLabelsFont(small);
        a->setTitleFont(f);
    }
}

QStringList ChartView::truncatedTexts() const {
    // Qt Charts shortens tick labels, axis titles, the chart title and legend entries that do not
    // fit by replacing their end with "..."; every one of them is a text item of the scene.
    QStringList out;
    if (!scene()) return out;
    for (const QGraphicsItem* item : scene()->items()) {
        const auto* text = dynamic_cast<const QGraphicsTextItem*>(item);
        if (!text || !text->isVisible()) continue;
        const QString t = text->toPlainText();
        if (t.endsWith("...") || t.endsWith(QChar(0x2026))) out.append(t);
    }
    return out;
}

void ChartView::changeEvent(QEvent* e) {
    if (e->type() == QEvent::FontChange) applyFonts();
    QChartView::changeEvent(e);
}

void ChartView::showEvent(QShowEvent* e) {
    applyFonts();
    QChartView::showEvent(e);
}

void ChartView::setMarkers(QValueAxis* axis, QList<TimeMarker> markers) {
    // A repaint of the whole chart costs milliseconds: only when something changed.
    if (axis == markerAxis_ && markers == markers_) return;
    if (axis != markerAxis_) {
        if (markerAxis_) disconnect(markerAxis_, nullptr, this, nullptr);
        // The markers move with the axis range.
        auto redraw = [this] {
            if (!markers_.isEmpty()) viewport()->update();
        };
        if (axis) connect(axis, &QValueAxis::rangeChanged, this, redraw);
    }
    markerAxis_ = axis;
    markers_ = std::move(markers);
    viewport()->update();
}

void ChartView::setPlaceholder(const QString& text) {
    if (text == placeholder_) return;
    placeholder_ = text;
    viewport()->update();
}

void ChartView::drawForeground(QPainter* painter, const QRectF& rect) {
    QChartView::drawForeground(painter, rect);
    const QRectF plot = chart()->plotArea();
    painter->save();
    if (!placeholder_.isEmpty()) {
        painter->setPen(palette().placeholderText().color());
        painter->setFont(font());
        painter->drawText(plot.adjusted(10, 10, -10, -10), Qt::AlignCenter | Qt::TextWordWrap,
                          placeholder_);
    }
    if (markerAxis_ && !markers_.isEmpty()) {
        // Map x to the plot by hand (the foreground has no series to map through).
        const double lo = markerAxis_->min(), hi = markerAxis_->max();
        QFont small = font();
        small.setPointSizeF(font().pointSizeF() * 0.85);
        painter->setFont(small);
        const QFontMetricsF fm(small);
        const QColor c(200, 60, 20);
        QList<double> lefts, widths;
        QStringList labels;
        for (const TimeMarker& m : markers_) {
            if (hi <= lo || m.x < lo || m.x > hi) continue;
            const double x = plot.left() + (m.x - lo) / (hi - lo) * plot.width();
            painter->setPen(QPen(c, 1.5, Qt::DashLine));
            painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
            lefts.append(x + 2);
            widths.append(fm.horizontalAdvance(m.label) + 6);
            labels.append(m.label);
        }
        // As many rows as fit in the top half of the plot: labels never cover one another
        // while there is room.
        const int rows = std::max(1, int(plot.height() / 2 / fm.height()));
        const QList<QRectF> boxes = place_marker_labels(lefts, widths, plot, fm.height(), rows);
        for (qsizetype i = 0; i < boxes.size(); ++i) {
            painter->fillRect(boxes[i], QColor(255, 255, 255, 210));
            painter->setPen(c);
            painter->drawText(boxes[i], Qt::AlignCenter, labels[i]);
        }
    }
    if (zoomed_) {
        QFont small = font();
        small.setPointSizeF(font().pointSizeF() * 0.85);
        painter->setFont(small);
        const QString hint = "zoomed · double-click resets";
        const QFontMetricsF fm(small);
        const QRectF box(plot.right() - fm.horizontalAdvance(hint) - 8,
                         plot.bottom() - fm.height() - 4, fm.horizontalAdvance(hint) + 6,
                         fm.height() + 2);
        painter->fillRect(box, QColor(255, 255, 255, 210));
        painter->setPen(palette().placeholderText().color());
        painter->drawText(box, Qt::AlignCenter, hint);
    }
    if (!hover_.isEmpty()) {
        // A ring on the point and the read-out in a box beside it, kept inside the plot.
        painter->setFont(font());
        const QFontMetricsF fm(font());
        const QPointF at = mapToScene(hoverAt_.toPoint());
        painter->setPen(QPen(palette().windowText().color(), 1.5));
        painter->setBrush(Qt::NoBrush);
        painter->drawEllipse(at, 5, 5);
        const QSizeF size(fm.horizontalAdvance(hover_) + 12, fm.height() + 6);
        QRectF box(at + QPointF(10, -size.height() - 6), size);
        if (box.right() > rect.right() - 2) box.moveRight(at.x() - 10);
        if (box.left() < rect.left() + 2) box.moveLeft(rect.left() + 2);
        if (box.top() < rect.top() + 2) box.moveTop(at.y() + 10);
        painter->setPen(QPen(QColor(90, 90, 90), 1));
        painter->setBrush(QColor(255, 255, 225, 235));
        painter->drawRect(box);
        painter->setPen(palette().windowText().color());
        painter->drawText(box, Qt::AlignCenter, hover_);
    }
    painter->restore();
}

} // namespace cbl::ui
