#include "ui/widgets/heatmap_view.hpp"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace cbl::ui {

std::vector<double> nice_ticks(double lo, double hi, int target) {
    std::vector<double> ticks;
    if (!(hi > lo) || target < 1) return ticks;
    const double raw = (hi - lo) / target;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double f : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (f * mag >= raw) {
            step = f * mag;
            break;
        }
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
        ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

namespace {
QString tick_text(double v) {
    if (v == 0) return "0";
    const double a = std::abs(v);
    if (a >= 1e4 || a < 1e-3) return QString::number(v, 'g', 2);
    return QString::number(v, 'g', 4);
}
} // namespace

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::ClickFocus);
    setToolTip({});
}

void HeatmapView::setTitle(const QString& title) {
    title_ = title;
    update();
}

void HeatmapView::setAxisTitles(const QString& x, const QString& y) {
    xTitle_ = x;
    yTitle_ = y;
    update();
}

void HeatmapView::setTickLabels(const QStringList& columns, const QStringList& rows) {
    colLabels_ = columns;
    rowLabels_ = rows;
    update();
}

void HeatmapView::setCellText(std::function<QString(int, int)> f) {
    cellText_ = std::move(f);
    update();
}

void HeatmapView::setHint(const QString& hint) {
    hint_ = hint;
    update();
}

void HeatmapView::setEmptyText(const QString& text) {
    emptyText_ = text;
    update();
}

void HeatmapView::setMarkers(std::vector<std::pair<int, int>> cells) {
    markers_ = std::move(cells);
    update();
}

void HeatmapView::setMatrix(const Eigen::MatrixXf& m, double lo, double hi, Colormap map,
                            const QString& unit) {
    const bool reshaped = m.rows() != data_.rows() || m.cols() != data_.cols();
    data_ = m;
    // A scale computed from non-finite data falls back to [0, 1] rather than poisoning recolor().
    lo_ = std::isfinite(lo) ? lo : 0;
    hi_ = std::isfinite(hi) && hi > lo_ ? hi : lo_ + 1;
    unit_ = unit;
    if (map != map_ || bar_.isNull()) {
        map_ = map;
        // The colour bar is the LUT itself, top = high values.
        bar_ = QImage(1, 256, QImage::Format_RGB32);
        const ColorLut& lut = colormap_lut(map_);
        for (int i = 0; i < 256; ++i)
            bar_.setPixel(0, 255 - i, lut[i]);
    }
    if (reshaped || !zoomed_) {
        wx_ = wy_ = 0;
        ww_ = std::max<double>(1, data_.cols());
        wh_ = std::max<double>(1, data_.rows());
        zoomed_ = false;
    }
    recolor();
    if (hover_.first >= 0 && hover_.first < rows() && hover_.second < cols() && hoverText_)
        hoverLine_ = hoverText_(hover_.first, hover_.second);
    update();
}

void HeatmapView::recolor() {
    const int r = rows(), c = cols();
    clippedHigh_ = 0;
    nonFinite_ = 0;
    dataMax_ = 0;
    if (r == 0 || c == 0) {
        image_ = {};
        return;
    }
    if (image_.width() != c || image_.height() != r) image_ = QImage(c, r, QImage::Format_RGB32);
    const ColorLut& lut = colormap_lut(map_);
    const float lo = float(lo_);
    const float scale = float(255.0 / (hi_ - lo_));
    // Eigen is column-major: walk each image row with a stride of `rows`.
    const float* base = data_.data();
    const float top = float(hi_);
    long long above = 0, bad = 0;
    for (int y = 0; y < r; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image_.scanLine(y));
        const float* p = base + y;
        for (int x = 0; x < c; ++x, p += r) {
            // NaN fails every comparison and int(NaN) is undefined: such cells get their own
            // colour (as do +-inf), outside every colour map.
            if (!std::isfinite(*p)) {
                line[x] = non_finite_rgb;
                ++bad;
                continue;
            }
            above += *p > top;
            float f = (*p - lo) * scale;
            f = f < 0.f ? 0.f : (f > 255.f ? 255.f : f);
            line[x] = lut[int(f + 0.5f)];
        }
    }
    clippedHigh_ = above;
    nonFinite_ = bad;
    if (above > 0)
        dataMax_ =
            data_.unaryExpr([](float v) { return std::isfinite(v) ? v : -INFINITY; }).maxCoeff();
}

QRectF HeatmapView::plotRect() const {
    const QFontMetrics fm(font());
    const int h = fm.height();
    double labels = fm.horizontalAdvance("00000");
    for (const QString& l : rowLabels_)
        labels = std::max<double>(labels, fm.horizontalAdvance(l));
    const double left = labels + h + 8;
    const double top = h * 1.6 + 4;
    const double bottom = h * 3.4 + 6;
    // Room for the colour bar's widest tick label ("7e+05" for a sweep's pulse counts).
    double ticks = fm.horizontalAdvance("-0.000");
    for (double t : nice_ticks(lo_, hi_, 8))
        ticks = std::max<double>(ticks, fm.horizontalAdvance(tick_text(t)));
    const double right = h * 1.2 + ticks + h + 16;
    return QRectF(left, top, std::max(10.0, width() - left - right),
                  std::max(10.0, height() - top - bottom));
}

QRectF HeatmapView::barRect() const {
    const QRectF p = plotRect();
    const QFontMetrics fm(font());
    // Room above the bar for the "values beyond the scale" arrow.
    const double arrow = fm.height() * 0.9;
    return QRectF(p.right() + 10, p.top() + arrow, fm.height() * 1.0,
                  std::max(10.0, p.height() - arrow));
}

std::pair<int, int> HeatmapView::cellAt(QPointF pos) const {
    const QRectF p = plotRect();
    if (!p.contains(pos) || data_.size() == 0) return {-1, -1};
    const double cx = wx_ + (pos.x() - p.left()) / p.width() * ww_;
    const double cy = wy_ + (pos.y() - p.top()) / p.height() * wh_;
    const int col = std::clamp(int(std::floor(cx)), 0, cols() - 1);
    const int row = std::clamp(int(std::floor(cy)), 0, rows() - 1);
    return {row, col};
}

QPoint HeatmapView::cellCenter(int row, int col) const {
    const QRectF p = plotRect();
    return QPointF(p.left() + (col + 0.5 - wx_) / ww_ * p.width(),
                   p.top() + (row + 0.5 - wy_) / wh_ * p.height())
        .toPoint();
}

void HeatmapView::clampWindow() {
    const double c = std::max(1, cols()), r = std::max(1, rows());
    ww_ = std::clamp(ww_, std::min(c, 4.0), c);
    wh_ = std::clamp(wh_, std::min(r, 2.0), r);
    wx_ = std::clamp(wx_, 0.0, c - ww_);
    wy_ = std::clamp(wy_, 0.0, r - wh_);
    zoomed_ = ww_ < c || wh_ < r;
}

void HeatmapView::resetZoom() {
    wx_ = wy_ = 0;
    ww_ = std::max(1, cols());
    wh_ = std::max(1, rows());
    zoomed_ = false;
    update();
}

void HeatmapView::zoomTo(double col0, double row0, double ncols, double nrows) {
    wx_ = col0;
    wy_ = row0;
    ww_ = ncols;
    wh_ = nrows;
    clampWindow();
    update();
}

void HeatmapView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    const QFontMetrics fm(font());
    const int h = fm.height();
    const QRectF p = plotRect();
    const QColor ink = palette().windowText().color();

    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(ink);
    painter.drawText(QRectF(0, 2, width(), h * 1.5), Qt::AlignCenter, title_);
    painter.setFont(font());

    elided_.clear();
    // Shortened with "…" rather than cut at both ends when the view is small; noted for tests.
    auto fit = [&](const QString& text, double room) {
        const QString shown = fm.elidedText(text, Qt::ElideRight, int(room));
        if (shown != text) elided_.append(text);
        return shown;
    };
    if (QFontMetrics(bold).horizontalAdvance(title_) > width()) elided_.append(title_);

    if (image_.isNull()) {
        painter.drawText(p, Qt::AlignCenter | Qt::TextWordWrap, emptyText_);
        return;
    }
    // Nearest-neighbour: each device stays a crisp cell at any zoom.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(p, image_, QRectF(wx_, wy_, ww_, wh_));
    painter.setPen(QPen(ink, 1));
    painter.drawRect(p);

    auto toX = [&](double c) { return p.left() + (c - wx_) / ww_ * p.width(); };
    auto toY = [&](double r) { return p.top() + (r - wy_) / wh_ * p.height(); };

    const double cw = p.width() / ww_, ch = p.height() / wh_;
    const auto xTick = [&](double at, const QString& text) {
        const double x = toX(at + 0.5);
        painter.drawLine(QPointF(x, p.bottom()), QPointF(x, p.bottom() + 4));
        painter.drawText(QRectF(x - 80, p.bottom() + 4, 160, h), Qt::AlignHCenter | Qt::AlignTop,
                         text);
    };
    const auto yTick = [&](double at, const QString& text) {
        const double y = toY(at + 0.5);
        painter.drawLine(QPointF(p.left() - 4, y), QPointF(p.left(), y));
        painter.drawText(QRectF(0, y - h / 2.0, p.left() - 6, h), Qt::AlignRight | Qt::AlignVCenter,
                         text);
    };
    // Named ticks on an axis whose labels were given (one per cell), in order, each label where
    // it clears the one drawn before, an empty label without a tick (a mosaic names only its
    // tiles' centres, an LSTM its gate blocks); else cell indices (0-based, like the hover
    // read-out and the pin list).
    if (colLabels_.size() == cols()) {
        double widest = 0;
        for (const QString& l : colLabels_)
            widest = std::max<double>(widest, fm.horizontalAdvance(l));
        double next = -1e300;
        for (int c = 0; c < cols(); ++c) {
            if (colLabels_[c].isEmpty() || c + 0.5 < wx_ || c + 0.5 > wx_ + ww_) continue;
            if (toX(c + 0.5) < next) continue;
            xTick(c, colLabels_[c]);
            next = toX(c + 0.5) + widest + h;
        }
    } else {
        for (double t : nice_ticks(wx_, wx_ + ww_ - 1, std::max(2, int(p.width() / (h * 5)))))
            xTick(t, tick_text(t));
    }
    if (rowLabels_.size() == rows()) {
        double next = -1e300;
        for (int r = 0; r < rows(); ++r) {
            if (rowLabels_[r].isEmpty() || r + 0.5 < wy_ || r + 0.5 > wy_ + wh_) continue;
            if (toY(r + 0.5) < next) continue;
            yTick(r, rowLabels_[r]);
            next = toY(r + 0.5) + h * 1.2;
        }
    } else {
        for (double t : nice_ticks(wy_, wy_ + wh_ - 1, std::max(2, int(p.height() / (h * 2.5)))))
            yTick(t, tick_text(t));
    }
    painter.drawText(QRectF(p.left(), p.bottom() + h + 4, p.width(), h), Qt::AlignCenter,
                     fit(xTitle_, p.width()));
    painter.save();
    painter.translate(4, p.center().y());
    painter.rotate(-90);
    painter.drawText(QRectF(-p.height() / 2, 0, p.height(), h), Qt::AlignCenter,
                     fit(yTitle_, p.height()));
    painter.restore();

    painter.setClipRect(p);
    if (cellText_) {
        for (int r = std::max(0, int(wy_)); r < std::min(rows(), int(std::ceil(wy_ + wh_))); ++r)
            for (int c = std::max(0, int(wx_)); c < std::min(cols(), int(std::ceil(wx_ + ww_)));
                 ++c) {
                const QString text = cellText_(r, c);
                if (text.isEmpty() || fm.horizontalAdvance(text) + 4 > cw || h + 2 > ch) continue;
                // Dark text on light colours, light on dark.
                painter.setPen(qGray(image_.pixel(c, r)) > 128 ? Qt::black : Qt::white);
                painter.drawText(QRectF(toX(c), toY(r), cw, ch), Qt::AlignCenter, text);
            }
        painter.setPen(QPen(ink, 1));
    }

    // Pinned synapses and the hovered cell.
    for (auto [r, c] : markers_) {
        const QRectF cell(toX(c), toY(r), std::max(cw, 6.0), std::max(ch, 6.0));
        const QRectF box =
            cell.translated(std::min(0.0, (cw - 6) / 2), std::min(0.0, (ch - 6) / 2));
        painter.setPen(QPen(Qt::black, 3));
        painter.drawRect(box.adjusted(-2, -2, 2, 2));
        painter.setPen(QPen(QColor(255, 140, 0), 2));
        painter.drawRect(box.adjusted(-2, -2, 2, 2));
    }
    if (hover_.first >= 0) {
        painter.setPen(QPen(Qt::white, 1, Qt::DashLine));
        painter.drawRect(
            QRectF(toX(hover_.second), toY(hover_.first), std::max(cw, 3.0), std::max(ch, 3.0)));
    }
    painter.setClipping(false);

    // Colour bar with ticks in physical units.
    const QRectF b = barRect();
    painter.drawImage(b, bar_);
    painter.setPen(ink);
    painter.drawRect(b);
    for (double t : nice_ticks(lo_, hi_, std::max(2, int(b.height() / (h * 3.5))))) {
        const double y = b.bottom() - (t - lo_) / (hi_ - lo_) * b.height();
        painter.drawLine(QPointF(b.right(), y), QPointF(b.right() + 4, y));
        painter.drawText(QRectF(b.right() + 6, y - h / 2.0, 200, h),
                         Qt::AlignLeft | Qt::AlignVCenter, tick_text(t));
    }
    if (clippedHigh_ > 0) {
        // Like matplotlib's extend="max": an arrow in the top colour says some cells lie above
        // the scale (they are drawn in that colour).
        const double ah = b.top() - p.top() - 2;
        QPolygonF arrow;
        arrow << QPointF(b.left(), b.top()) << QPointF(b.right(), b.top())
              << QPointF(b.center().x(), b.top() - ah);
        painter.setBrush(QColor::fromRgb(colormap_lut(map_)[255]));
        painter.drawPolygon(arrow);
        painter.setBrush(Qt::NoBrush);
    }
    painter.save();
    painter.translate(width() - 2, b.center().y());
    painter.rotate(-90);
    painter.drawText(QRectF(-b.height() / 2, -h, b.height(), h), Qt::AlignCenter,
                     fit(unit_, b.height()));
    painter.restore();

    // Hover read-out (or the hint how to use the view).
    // The hint in the longest form that fits the width.
    QString line = hoverLine_;
    if (hover_.first < 0 && !hint_.isEmpty())
        line = hint_;
    else if (hover_.first < 0)
        for (const char* hint : {"hover: values · click: pin synapse · wheel: zoom · drag: pan · "
                                 "double-click: whole layer",
                                 "hover: values · click: pin · wheel: zoom · drag: pan",
                                 "hover · click: pin · wheel: zoom"}) {
            line = QString::fromUtf8(hint);
            if (fm.horizontalAdvance(line) <= width() - 8) break;
        }
    painter.setPen(hover_.first >= 0 ? ink : palette().placeholderText().color());
    painter.drawText(QRectF(4, height() - h - 4, width() - 8, h), Qt::AlignLeft | Qt::AlignVCenter,
                     fm.elidedText(line, Qt::ElideRight, width() - 8));
}

void HeatmapView::mouseMoveEvent(QMouseEvent* e) {
    if (pressed_ && (e->buttons() & Qt::LeftButton)) {
        const QPointF d = e->position() - pressPos_;
        if (d.manhattanLength() > 4) dragged_ = true;
        if (dragged_ && zoomed_) {
            const QRectF p = plotRect();
            wx_ = pressWx_ - d.x() / p.width() * ww_;
            wy_ = pressWy_ - d.y() / p.height() * wh_;
            clampWindow();
            update();
        }
    }
    const auto cell = cellAt(e->position());
    if (cell != hover_) {
        hover_ = cell;
        if (cell.first >= 0) {
            hoverLine_ = hoverText_ ? hoverText_(cell.first, cell.second)
                                    : QString("row %1, column %2: %3 %4")
                                          .arg(cell.first)
                                          .arg(cell.second)
                                          .arg(data_(cell.first, cell.second))
                                          .arg(unit_);
            Q_EMIT cellHovered(cell.first, cell.second);
        }
        update();
    }
}

void HeatmapView::leaveEvent(QEvent*) {
    hover_ = {-1, -1};
    update();
}

void HeatmapView::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) return;
    pressed_ = true;
    dragged_ = false;
    pressPos_ = e->position();
    pressWx_ = wx_;
    pressWy_ = wy_;
}

void HeatmapView::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton || !pressed_) return;
    pressed_ = false;
    if (dragged_) return;
    const auto [r, c] = cellAt(e->position());
    if (r >= 0) Q_EMIT cellClicked(r, c);
}

void HeatmapView::mouseDoubleClickEvent(QMouseEvent*) {
    resetZoom();
}

void HeatmapView::wheelEvent(QWheelEvent* e) {
    const QRectF p = plotRect();
    if (!p.contains(e->position()) || data_.size() == 0) return;
    const double f = std::pow(0.85, e->angleDelta().y() / 120.0);
    // Keep the cell under the cursor fixed while zooming.
    const double fx = (e->position().x() - p.left()) / p.width();
    const double fy = (e->position().y() - p.top()) / p.height();
    const double cx = wx_ + fx * ww_, cy = wy_ + fy * wh_;
    ww_ *= f;
    wh_ *= f;
    wx_ = cx - fx * ww_;
    wy_ = cy - fy * wh_;
    clampWindow();
    update();
    e->accept();
}

} // namespace cbl::ui
