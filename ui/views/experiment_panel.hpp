#pragma once
// What is being trained: preset (with its one-line description and the paper it reproduces),
// dataset, network shape and training scheme. All of these are structural: applying them
// restarts the experiment, so the main window asks first.
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QPushButton;

namespace cbl::ui {

class ExperimentPanel : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit ExperimentPanel(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    /// The config the fields describe (the current one plus edits); throws InputError.
    ExperimentConfig editedConfig() const;
    QComboBox* presetBox() const { return preset_; }
    /// The Network field: an MLP's neuron counts or a layer list as one line (tests).
    QLineEdit* networkField() const { return layers_; }

  Q_SIGNALS:
    void presetRequested(const QString& name);
    void loadRequested(const cbl::ExperimentConfig& config);

  private:
    void showConfig(const ExperimentConfig& c);
    void describePreset(const QString& name);
    void markDirty();
    /// Enables the rows of a config's task (supervised, rl, gan) and greys out the others; they
    /// stay in place (hiding and showing form rows here made the app crash at exit, in Qt 6.4's
    /// font cache: cause not found).
    void enableRowsFor(const std::string& task);

    QComboBox* preset_;
    QLabel* description_;
    QComboBox* dataset_;
    QSpinBox* trainLimit_;
    QSpinBox* testLimit_;
    QLineEdit* layers_;
    QComboBox* activation_;
    QComboBox* scheme_;
    QSpinBox* epochs_;
    // A deep-RL preset (task = rl) has a control task instead of a dataset and a network.
    QComboBox* env_;
    QLineEdit* hidden_;
    QSpinBox* episodes_;
    QSpinBox* seed_;
    QFormLayout* form_;
    QLabel* error_;
    QPushButton* apply_;
    ExperimentConfig config_;
    bool have_ = false;
    bool dirty_ = false;
};

} // namespace cbl::ui
