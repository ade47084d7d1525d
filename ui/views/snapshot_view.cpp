#include "ui/views/snapshot_view.hpp"

#include "ui/shell/parameter_info.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QLocale>

#include <cmath>

namespace cbl::ui {

QString duration_text(double s) {
    if (!std::isfinite(s) || s < 0) return "–";
    if (s < 60) return QString::number(s, 'f', s < 10 ? 2 : 1) + " s";
    if (s < 3600) return QString::number(s / 60, 'f', 1) + " min";
    if (s < 86400) return QString::number(s / 3600, 'f', 2) + " h";
    return QString::number(s / 86400, 'f', 2) + " days";
}

double time_unit(double max_s, QString* unit) {
    if (max_s < 300) return *unit = "s", 1.0;
    if (max_s < 3 * 3600) return *unit = "min", 60.0;
    if (max_s < 3 * 86400) return *unit = "h", 3600.0;
    return *unit = "days", 86400.0;
}

QString energy_text(double nJ) {
    const double a = std::abs(nJ);
    // Each unit up to what rounds to 999 at three digits: 999.7 nJ is "1 µJ", not "1e+03 nJ".
    if (a < 0.9995) return QString::number(nJ * 1e3, 'g', 3) + " pJ";
    if (a < 999.5) return QString::number(nJ, 'g', 3) + " nJ";
    if (a < 999.5e3) return QString::number(nJ / 1e3, 'g', 3) + " µJ";
    if (a < 999.5e6) return QString::number(nJ / 1e6, 'g', 3) + " mJ";
    return QString::number(nJ / 1e9, 'g', 3) + " J";
}

QString latency_text(double us) {
    // Fixed decimals, three significant digits: "33.5 µs", "1.00 ms", not "1e+03 µs".
    const auto fixed = [](double v, const char* unit) {
        return QString::number(v, 'f', v < 10 ? 2 : v < 100 ? 1 : 0) + unit;
    };
    if (!std::isfinite(us) || us < 0) return "–";
    if (us < 999.5) return fixed(us, " µs");
    if (us < 999.5e3) return fixed(us / 1e3, " ms");
    return fixed(us / 1e6, " s");
}

QString rate_text(double per_s, const QString& singular, const QString& plural) {
    // Whole numbers from 10 on; below, one or two decimals ("2.5 images/s").
    const int decimals = per_s >= 10 || per_s == std::round(per_s) ? 0 : per_s >= 1 ? 1 : 2;
    const QString n = QLocale().toString(per_s, 'f', decimals);
    return n + " " + (n == "1" ? singular : plural) + "/s";
}

QString event_label(const std::string& what, const std::string& family) {
    QString text = QString::fromStdString(what);
    const int eq = text.indexOf(" = ");
    if (eq <= 0) return text;
    const QString path = text.left(eq);
    QString value = text.mid(eq + 3);
    const ParameterInfo info = parameter_info(path, QString::fromStdString(family));
    if (!info.spec) {
        // Not a schema field: "scheme.eps = 0.05" -> "eps = 0.05", the group is clear enough.
        const int dot = path.lastIndexOf('.');
        return dot >= 0 ? text.mid(dot + 1) : text;
    }
    // "tile.read_noise_scale = 20" -> "read-noise scale = 20×", as the parameter panel names it.
    if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
        value = value.mid(1, value.size() - 2);
    if (info.unit == "×")
        value += "×";
    else if (!info.unit.isEmpty())
        value += " " + info.unit;
    return info.label + " = " + value;
}

QList<TimeMarker> event_markers(const Snapshot& s, bool device_time, double time_scale) {
    QList<TimeMarker> out;
    const std::string family = s.config.tile.device.family();
    for (const Event& e : s.events) {
        const double x = device_time ? e.simulated_time_s / time_scale
                                     : (s.epoch_size > 0 ? double(e.step) / s.epoch_size : 0.0);
        out.append({x, event_label(e.what, family)});
    }
    return out;
}

} // namespace cbl::ui
