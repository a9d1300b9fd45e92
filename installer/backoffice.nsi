; Installer of Back-Office Messagerie: built by installer/build.py, which passes
; APP_NAME, DISPLAY_NAME, PUBLISHER, VERSION, VERSION_NUMERIC, BUNDLE, ICON, OUTFILE,
; UNINSTALL_LIST, ESTIMATED_SIZE_KB and COMPRESSION (zlib or lzma) with -D.
;
; Per-user install (no administrator rights) in %LOCALAPPDATA%\Programs\<APP_NAME>.
; The user's data (%LOCALAPPDATA%\<APP_NAME>: database, backups, logs) is a different
; folder and is never touched by the uninstaller.

Unicode true
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user

!if "${COMPRESSION}" == "lzma"
  SetCompressor /SOLID lzma
  SetCompressorDictSize 64
!else
  SetCompressor zlib
!endif

!include "MUI2.nsh"
!include "x64.nsh"
!include "WinVer.nsh"
!include "LogicLib.nsh"

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_NAME}"
!define SETTINGS_KEY "Software\${APP_NAME}"
!define SHORTCUT "${DISPLAY_NAME}.lnk"

Name "${DISPLAY_NAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${SETTINGS_KEY}" "InstallDir"
BrandingText "${DISPLAY_NAME} ${VERSION}"
ShowInstDetails hide
ShowUninstDetails hide

VIProductVersion "${VERSION_NUMERIC}"
VIFileVersion "${VERSION_NUMERIC}"
VIAddVersionKey /LANG=1036 "ProductName" "${DISPLAY_NAME}"
VIAddVersionKey /LANG=1036 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1036 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1036 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1036 "LegalCopyright" "© ${PUBLISHER}"
VIAddVersionKey /LANG=1036 "FileDescription" "Installation de ${DISPLAY_NAME}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\pythonw.exe"
!define MUI_FINISHPAGE_RUN_PARAMETERS "-m desktop"
!define MUI_FINISHPAGE_RUN_TEXT "Lancer ${DISPLAY_NAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "French"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${DISPLAY_NAME} nécessite une version 64 bits de Windows."
    Abort
  ${EndIf}
  ${IfNot} ${AtLeastWin10}
    MessageBox MB_ICONSTOP "${DISPLAY_NAME} nécessite Windows 10 ou une version plus récente."
    Abort
  ${EndIf}
FunctionEnd

Section "${DISPLAY_NAME} (obligatoire)" SecProgram
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An update: remove the previous version's program files first (never the user's data).
  !include "${UNINSTALL_LIST}"
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE}\*.*"

  DetailPrint "Optimisation des modules Python…"
  nsExec::ExecToLog '"$INSTDIR\python.exe" -m compileall -q -j 0 "$INSTDIR\app" "$INSTDIR\Lib\site-packages"'
  Pop $0

  WriteUninstaller "$INSTDIR\Desinstaller.exe"
  CreateShortcut "$SMPROGRAMS\${SHORTCUT}" "$INSTDIR\pythonw.exe" "-m desktop" "$INSTDIR\app\app.ico" 0 SW_SHOWNORMAL "" "${DISPLAY_NAME}"

  WriteRegStr HKCU "${SETTINGS_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${DISPLAY_NAME}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\app\app.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Desinstaller.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Desinstaller.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" ${ESTIMATED_SIZE_KB}
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Raccourci sur le bureau" SecDesktop
  CreateShortcut "$DESKTOP\${SHORTCUT}" "$INSTDIR\pythonw.exe" "-m desktop" "$INSTDIR\app\app.ico" 0 SW_SHOWNORMAL "" "${DISPLAY_NAME}"
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecProgram} "Le programme et son environnement Python."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} "Une icône sur le bureau pour lancer l'application."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Section "Uninstall"
  ; Only what the installer put there: the database, backups and logs stay in
  ; %LOCALAPPDATA%\${APP_NAME}, the settings in %APPDATA%\${APP_NAME}.
  !include "${UNINSTALL_LIST}"
  Delete "$INSTDIR\Desinstaller.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${SHORTCUT}"
  Delete "$DESKTOP\${SHORTCUT}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "${SETTINGS_KEY}"
SectionEnd
