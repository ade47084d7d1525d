#pragma once
// Every parameter of the current device model, tile, training scheme and optimizer, built
// generically from the experiment's config JSON: grouped, with units (from the key suffix),
// ranges and tooltips saying what each means physically (ui/app/parameter_info). Hot parameters
// (Experiment::is_hot) go to the engine at once and become events on the charts' time axes;
// structural ones collect as pending edits applied by a reset. Errors show next to the field.
#include "ui/views/snapshot_view.hpp"

#include <QHash>
#include <QWidget>

class QFormLayout;
class QLabel;
class QPushButton;
class QVBoxLayout;

namespace cbl {
class Engine;
}

namespace cbl::ui {

class ParameterPanel : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit ParameterPanel(QWidget* parent = nullptr);
    void setEngine(Engine* engine) { engine_ = engine; }
    void showSnapshot(const SnapshotPtr& s) override;
    /// The same as editing the field `path` (tests, scripts).
    void applyValue(const QString& path, const nlohmann::json& value);
    QString errorText(const QString& path) const;
    QStringList paths() const { return rows_.keys(); }
    bool hasPending() const { return !pendingPaths_.isEmpty(); }

  Q_SIGNALS:
    /// Structural edits accepted by validation: apply them with a reset.
    void applyStructural(const cbl::ExperimentConfig& config);
    /// The device model as edited (pending included): the device explorer follows it live.
    void deviceEdited(const nlohmann::json& device);

  private:
    struct Row {
        QWidget* editor = nullptr;
        QLabel* error = nullptr;
        nlohmann::json value;
        bool hot = false;
    };
    void rebuild(const nlohmann::json& flat);
    void setEditorValue(Row& row, const nlohmann::json& v);
    void showError(const QString& path, const QString& error);
    void updatePendingBar();
    nlohmann::json effective(const ExperimentConfig& c) const;

    Engine* engine_ = nullptr;
    QVBoxLayout* groupsLayout_;
    QWidget* groupsHost_ = nullptr;
    QWidget* pendingBar_;
    QLabel* pendingText_;
    QLabel* header_;
    QHash<QString, Row> rows_;
    QStringList layoutPaths_;
    ExperimentConfig config_; ///< as the engine runs it
    nlohmann::json pending_;  ///< config JSON with structural edits not yet applied
    QStringList pendingPaths_;
    bool haveConfig_ = false;
};

/// Flattens nested objects to dotted paths ("tile.peripherals.adc_bits").
void flatten_json(const nlohmann::json& j, const std::string& prefix, nlohmann::json& out);

} // namespace cbl::ui
