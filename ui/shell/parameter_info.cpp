#include "ui/shell/parameter_info.hpp"

#include <algorithm>

namespace cbl::ui {

QString display_unit(const std::string& unit) {
    QString u = QString::fromStdString(unit);
    u.replace("uS", "µS");
    return u == "x" ? "×" : u;
}

ParameterInfo parameter_info(const QString& path, const QString& family) {
    ParameterInfo info;
    info.spec = find_field(path.toStdString(), family.toStdString());
    if (!info.spec) return info;
    const FieldSpec& f = *info.spec;
    info.label = QString::fromStdString(f.label);
    info.unit = display_unit(f.unit);
    info.min = f.off ? std::min(f.lo, *f.off) : f.lo;
    info.max = f.hi;
    for (const auto& c : f.choices)
        info.choices.append(QString::fromStdString(c));
    info.tooltip =
        QString("<b>%1</b> (%2)<br>%3<br>allowed: %4<br><i>%5</i>")
            .arg(info.label.toHtmlEscaped(), path.toHtmlEscaped(),
                 QString::fromStdString(f.meaning).toHtmlEscaped(),
                 display_unit(f.allowed()).toHtmlEscaped(),
                 f.live ? "live: applies while training" : "structural: applies with a reset");
    return info;
}

} // namespace cbl::ui
