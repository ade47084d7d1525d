#pragma once
// What each config parameter means physically, its unit and sensible range: the tooltips and
// editor limits of the device-parameter panel. Unknown keys still get a unit from their suffix
// (_uS, _s, _ns, ...) and a wide range, so new device models show up without code changes here.
#include <QString>

namespace cbl::ui {

struct ParameterInfo {
    QString label;   ///< short human name
    QString meaning; ///< what it physically means (tooltip)
    QString unit;    ///< display unit, e.g. "µS"
    double min = -1e9, max = 1e9;
    int decimals = 4;
};

/// Looks up a dotted config path ("device.nu_mean", "tile.read_noise_scale", ...).
ParameterInfo parameter_info(const QString& path);
/// Unit from the key's suffix: "_uS" -> "µS", "_s" -> "s", "_ns" -> "ns", "_bits" -> "bits" ...
QString unit_from_key(const QString& key);

} // namespace cbl::ui
