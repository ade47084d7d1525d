#pragma once
// Device explorer (seed 002 Fig. 2 A-D, interactive): N PCM devices receive SET pulses; the view
// shows mean +- std of G after each pulse (A), the distribution after k pulses (B), drift of each
// programmed state (C) and single-device traces with read noise (D). It reruns the core's
// characterisation whenever the device parameters (or the options here) change.
#include "core/device/characterisation.hpp"
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

#include <memory>
#include <optional>

class QSpinBox;
class QLabel;
class QCheckBox;
class QLineSeries;
class QAreaSeries;
class QValueAxis;
class QCategoryAxis;
class QTimer;
class QGridLayout;

namespace cbl::ui {

class ChartView;
class CharacterisationWorker;

class DeviceExplorer : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit DeviceExplorer(QWidget* parent = nullptr);
    /// Takes the experiment's device model when it changes.
    void showSnapshot(const SnapshotPtr& s) override;
    /// Device parameters being edited (before a reset applies them): explore them at once.
    void setDeviceJson(const nlohmann::json& device);
    bool hasResult() const { return bool(result_); }
    QList<ChartView*> charts() const { return {pulses_, histogram_, drift_, traces_}; }
    /// What the explorer says of the device it shows when that is not seed 002's PCM: what a
    /// family lacks (model expectation, drift), or why it shows the default PCM ("" for PCM).
    QString familyNote() const;
    /// The device family of the result on screen ("" before the first).
    QString shownFamily() const;

  Q_SIGNALS:
    void resultShown();

  protected:
    void resizeEvent(QResizeEvent* e) override;

  private:
    /// As many chart columns (1, 2 or 4) as the width gives each a readable size; the scroll
    /// area around the explorer scrolls the rest.
    void regrid(int width);
    void schedule();
    void run();
    void draw();

    CharacterisationWorker* worker_;
    QTimer* debounce_;
    QSpinBox* devices_;
    QSpinBox* pulseCount_;
    QSpinBox* histAfter_;
    QCheckBox* readNoise_;
    QLabel* familyNote_;
    QLabel* status_;
    QGridLayout* grid_ = nullptr;
    int columns_ = 0;
    ChartView *pulses_, *histogram_, *drift_, *traces_;
    QLineSeries *mean_, *modelMean_, *upper_, *lower_;
    QAreaSeries* band_;
    QLineSeries *hist_, *histModel_;
    QValueAxis *pX_, *pY_, *hX_, *hY_, *dY_, *tX_, *tY_;
    QCategoryAxis* dX_; ///< log10 of the time in seconds
    QList<QLineSeries*> driftSeries_, traceSeries_;
    nlohmann::json device_;
    std::shared_ptr<const CharacterisationResult> result_;
};

} // namespace cbl::ui
