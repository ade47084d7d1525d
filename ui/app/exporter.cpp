#include "ui/app/exporter.hpp"

#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>

namespace cbl::ui {

namespace {
QString csv_field(QString s) {
    if (s.contains(',') || s.contains('"') || s.contains('\n'))
        s = '"' + s.replace("\"", "\"\"") + '"';
    return s;
}

QString save_text(const QString& path, const QByteArray& text) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return "cannot write " + path + ": " + f.errorString();
    f.write(text);
    if (!f.commit()) return "cannot write " + path + ": " + f.errorString();
    return {};
}
} // namespace

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
    int layers = 0;
    for (const EpochMetrics& m : s.history)
        layers = std::max<int>(
            layers, int(std::max(m.device_updates.size(), m.fp_equivalent_updates.size())));
    QString out = "epoch,train_accuracy,test_accuracy,train_loss_nats,test_loss_nats,learning_rate";
    for (int k = 0; k < layers; ++k)
        out += QString(",device_updates_layer%1").arg(k + 1);
    for (int k = 0; k < layers; ++k)
        out += QString(",fp_equivalent_updates_layer%1").arg(k + 1);
    out += ",refreshes,device_time_s,wall_seconds,images\n";
    for (const EpochMetrics& m : s.history) {
        out += QString("%1,%2,%3,%4,%5,%6")
                   .arg(m.epoch)
                   .arg(m.train_accuracy, 0, 'g', 8)
                   .arg(m.test_accuracy, 0, 'g', 8)
                   .arg(m.train_loss, 0, 'g', 8)
                   .arg(m.test_loss, 0, 'g', 8)
                   .arg(m.learning_rate, 0, 'g', 8);
        for (int k = 0; k < layers; ++k)
            out += "," + (k < int(m.device_updates.size()) ? QString::number(m.device_updates[k])
                                                           : QString());
        for (int k = 0; k < layers; ++k)
            out += "," + (k < int(m.fp_equivalent_updates.size())
                              ? QString::number(m.fp_equivalent_updates[k])
                              : QString());
        out += QString(",%1,%2,%3,%4\n")
                   .arg(m.refreshes)
                   .arg(m.simulated_time_s, 0, 'g', 10)
                   .arg(m.wall_seconds, 0, 'g', 6)
                   .arg(m.images);
    }
    return save_text(path, out.toUtf8());
}

QString export_events_csv(const Snapshot& s, const QString& path) {
    QString out = "step,device_time_s,event\n";
    for (const Event& e : s.events)
        out += QString("%1,%2,%3\n")
                   .arg(e.step)
                   .arg(e.simulated_time_s, 0, 'g', 10)
                   .arg(csv_field(QString::fromStdString(e.what)));
    return save_text(path, out.toUtf8());
}

} // namespace cbl::ui
