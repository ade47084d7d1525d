#include "ui/shell/exporter.hpp"

#include "core/session/csv_export.hpp"
#include "ui/widgets/chart_view.hpp"
#include "ui/widgets/heatmap_view.hpp"

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>

namespace cbl::ui {

namespace {

/// What an export of `w` draws: its charts and heatmaps (ChartView, HeatmapView) as they lie in
/// it, without the buttons, boxes and read-outs around them (issue 18: an exported chart is the
/// chart alone); a view without any is drawn whole.
struct Parts {
    QList<QWidget*> widgets;
    QRect area; ///< their bounding box in `w`'s coordinates
};

Parts parts_of(QWidget* w) {
    if (!w->isVisible()) {
        // A view never shown (a dock behind another tab) has not laid out its children yet;
        // QWidget::render sends the resize events that do, so one pixel of it is drawn first.
        QImage pixel(1, 1, QImage::Format_ARGB32_Premultiplied);
        QPainter p(&pixel);
        w->render(&p, QPoint(), QRegion(0, 0, 1, 1));
    }
    Parts parts;
    QList<QWidget*> found;
    for (QWidget* c : w->findChildren<ChartView*>())
        found.append(c);
    for (QWidget* c : w->findChildren<HeatmapView*>())
        found.append(c);
    for (QWidget* c : found)
        if (c->isVisibleTo(w) && !c->size().isEmpty()) {
            parts.widgets.append(c);
            parts.area |= QRect(c->mapTo(w, QPoint()), c->size());
        }
    if (parts.widgets.isEmpty()) parts = {{w}, w->rect()};
    return parts;
}

/// Draws the parts with the area's top left at the painter's origin.
void render_parts(QPainter& p, QWidget* w, const Parts& parts) {
    for (QWidget* c : parts.widgets) {
        const QPoint at = c == w ? QPoint() : c->mapTo(w, QPoint()) - parts.area.topLeft();
        c->render(&p, at, QRegion(), QWidget::DrawChildren | QWidget::DrawWindowBackground);
    }
}

} // namespace

QString export_png(QWidget* w, const QString& path, double scale) {
    if (!w) return "nothing to export";
    const Parts parts = parts_of(w);
    QImage img(parts.area.size() * scale, QImage::Format_ARGB32_Premultiplied);
    img.setDevicePixelRatio(scale);
    img.fill(w->palette().window().color());
    {
        QPainter p(&img);
        render_parts(p, w, parts);
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return "cannot write " + path + ": " + f.errorString();
    if (!img.save(&f, "PNG")) return "cannot encode PNG " + path;
    if (!f.commit()) return "cannot write " + path + ": " + f.errorString();
    return {};
}

QString export_svg(QWidget* w, const QString& path, const QString& title) {
    if (!w) return "nothing to export";
    // QSvgGenerator writes as it paints: render to a temp file and rename for atomicity.
    const QString tmp = path + ".part";
    {
        const Parts parts = parts_of(w);
        QSvgGenerator gen;
        gen.setFileName(tmp);
        gen.setSize(parts.area.size());
        gen.setViewBox(QRect(QPoint(), parts.area.size()));
        gen.setTitle(title);
        gen.setDescription("CrossbarLab export");
        QPainter p;
        if (!p.begin(&gen)) return "cannot write " + path;
        render_parts(p, w, parts);
        p.end();
    }
    QFile::remove(path);
    if (!QFile::rename(tmp, path)) {
        QFile::remove(tmp);
        return "cannot write " + path;
    }
    return {};
}

QString export_metrics_csv(const Snapshot& s, const QString& path) {
    try {
        write_metrics_csv(s.history, path.toStdString());
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

QString export_events_csv(const Snapshot& s, const QString& path) {
    try {
        write_events_csv(s.events, path.toStdString());
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace cbl::ui
