#pragma once
// The lab's main window: run controls, live charts drawn from engine snapshots.
#include "core/experiment/snapshot.hpp"

#include <QMainWindow>

class QAction;
class QLabel;
class QComboBox;

namespace cbl::ui {

class EngineBridge;
class AccuracyChart;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;
    EngineBridge& bridge() { return *bridge_; }
    /// Loads a preset (structural: the experiment restarts).
    void loadPreset(const QString& name);
    /// The newest snapshot drawn so far.
    SnapshotPtr lastSnapshot() const { return last_; }

  Q_SIGNALS:
    void snapshotShown(cbl::SnapshotPtr snapshot);

  private:
    void showSnapshot(const SnapshotPtr& s);
    void togglePlay();

    EngineBridge* bridge_;
    AccuracyChart* accuracy_;
    QAction* play_;
    QAction* step_;
    QAction* stepEpoch_;
    QAction* reset_;
    QComboBox* presets_;
    QLabel* progress_;
    QLabel* rate_;
    QLabel* simTime_;
    SnapshotPtr last_;
};

} // namespace cbl::ui
