#include "ui/shell/exporter.hpp"

#include "core/session/csv_export.hpp"

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>

namespace cbl::ui {

QString export_png(QWidget* w, const QString& path, double scale) {
    if (!w) return "nothing to export";
    QImage img(w->size() * scale, QImage::Format_ARGB32_Premultiplied);
    img.setDevicePixelRatio(scale);
    img.fill(w->palette().window().color());
    {
        QPainter p(&img);
        w->render(&p, QPoint(), QRegion(), QWidget::DrawChildren);
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
        QSvgGenerator gen;
        gen.setFileName(tmp);
        gen.setSize(w->size());
        gen.setViewBox(QRect(QPoint(), w->size()));
        gen.setTitle(title);
        gen.setDescription("CrossbarLab export");
        QPainter p;
        if (!p.begin(&gen)) return "cannot write " + path;
        w->render(&p, QPoint(), QRegion(), QWidget::DrawChildren | QWidget::DrawWindowBackground);
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
