#include "ui/views/snapshot_view.hpp"

#include "ui/widgets/chart_view.hpp"

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
    if (a < 1) return QString::number(nJ * 1e3, 'g', 3) + " pJ";
    if (a < 1e3) return QString::number(nJ, 'g', 3) + " nJ";
    if (a < 1e6) return QString::number(nJ / 1e3, 'g', 3) + " µJ";
    if (a < 1e9) return QString::number(nJ / 1e6, 'g', 3) + " mJ";
    return QString::number(nJ / 1e9, 'g', 3) + " J";
}

QList<TimeMarker> event_markers(const Snapshot& s, bool device_time, double time_scale) {
    QList<TimeMarker> out;
    for (const Event& e : s.events) {
        QString what = QString::fromStdString(e.what);
        // "scheme.eps = 0.05" -> "eps = 0.05": the group is clear from the panel.
        const int eq = what.indexOf(" = ");
        const int dot = what.lastIndexOf('.', eq > 0 ? eq : -1);
        if (eq > 0 && dot >= 0 && dot < eq) what = what.mid(dot + 1);
        const double x = device_time ? e.simulated_time_s / time_scale
                                     : (s.epoch_size > 0 ? double(e.step) / s.epoch_size : 0.0);
        out.append({x, what});
    }
    return out;
}

} // namespace cbl::ui
