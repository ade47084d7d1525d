#pragma once
// Export of what the lab shows: any view to PNG (at 2x for print and projectors) or SVG
// (vector charts; heatmaps embed their image), metrics and events to CSV. Files are written
// atomically (QSaveFile) so a failed export never leaves half a file.
#include "core/experiment/snapshot.hpp"

#include <QString>

class QWidget;

namespace cbl::ui {

/// Renders `w` to a PNG at `scale` x its size. Returns an empty string or the error.
QString export_png(QWidget* w, const QString& path, double scale = 2.0);
/// Renders `w` through QSvgGenerator. Returns an empty string or the error.
QString export_svg(QWidget* w, const QString& path, const QString& title);
/// One row per epoch: accuracies, losses, learning rate, device and FP-equivalent updates per
/// layer, refreshes, device time, wall time.
QString export_metrics_csv(const Snapshot& s, const QString& path);
/// The parameter-change timeline: step, device time, what.
QString export_events_csv(const Snapshot& s, const QString& path);

} // namespace cbl::ui
