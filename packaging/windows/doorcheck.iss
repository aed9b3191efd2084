; Inno Setup script: the Windows installer, from PyInstaller's one-folder build.
; Built by .github/workflows/installers.yml on a Windows runner:
;
;     pyinstaller --noconfirm --clean --distpath build/pyinstaller packaging/doorcheck.spec
;     iscc /DAppVersion=0.1.0 packaging\windows\doorcheck.iss
;
; Per-user install by default (no administrator needed on a locked-down staff laptop);
; the data folder (%LOCALAPPDATA%\doorcheck) is left alone on uninstall and upgrade,
; and its migrations run at the next start.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{6F1D3C2A-58E4-4C7B-9A1E-D00C4EC0FFEE}
AppName=doorcheck
AppVersion={#AppVersion}
AppVerName=doorcheck {#AppVersion}
AppPublisher=doorcheck developers
DefaultDirName={autopf}\doorcheck
DefaultGroupName=doorcheck
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=doorcheck-{#AppVersion}-setup
SetupIconFile=..\icons\doorcheck.ico
UninstallDisplayIcon={app}\doorcheck-kiosk.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "german"; MessagesFile: "compiler:Languages\German.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\build\pyinstaller\doorcheck\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the program folder whole, so no file of an older version lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\doorcheck"; Filename: "{app}\doorcheck-kiosk.exe"
Name: "{autodesktop}\doorcheck"; Filename: "{app}\doorcheck-kiosk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\doorcheck-kiosk.exe"; Description: "{cm:LaunchProgram,doorcheck}"; Flags: nowait postinstall skipifsilent
